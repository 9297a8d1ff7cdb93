using System.Text.Json.Nodes;
using DenseAm.Experiments;
using DenseAm.Runner;

namespace DenseAm.Tests.Runner;

public sealed class ResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("denseam-resume-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Logl0Experiment TinyLogl0() => new(new Logl0Spec
    {
        Components = [2], Dimensions = [2, 3], PatternCounts = [6], Seeds = 2, BetaSteps = 3, StartsPerPattern = 4, LseSteps = 300,
    });

    /// <summary>Units of no work that note the order they start in.</summary>
    private sealed class Recorder(int count) : IExperiment
    {
        public List<int> Started { get; } = [];
        public string Id => "order";
        public JsonObject Spec() => new() { ["count"] = count };
        public IReadOnlyList<string> Notes { get; } = [];
        public IReadOnlyList<ExperimentUnit> Units() => Enumerable.Range(0, count).Select(i => new ExperimentUnit(Id, "c", 0, i, 1)).ToList();
        public JsonObject Compute(ExperimentUnit unit, CancellationToken cancellationToken)
        {
            lock (Started) Started.Add(unit.BetaIndex);
            Thread.Sleep(1);
            return new JsonObject { ["i"] = unit.BetaIndex };
        }
    }

    [Fact]
    public void Units_start_in_unit_order_so_the_file_keeps_up_with_the_work()
    {
        var e = new Recorder(200);
        var summary = ExperimentRunner.Run(e, Path.Combine(_dir, "order.jsonl"), threads: 2);
        Assert.Equal(200, summary.Computed);
        // Two workers take units one at a time from the front: no unit starts more than a couple of places early
        // (a range partition would start the second worker half-way through, leaving half the work unwritten).
        for (int k = 0; k < e.Started.Count; k++)
            Assert.True(Math.Abs(e.Started[k] - k) <= 2, $"start #{k} was unit {e.Started[k]}");
    }

    [Fact]
    public void Results_are_identical_with_one_and_two_threads()
    {
        string a = Path.Combine(_dir, "a.jsonl"), b = Path.Combine(_dir, "b.jsonl");
        var sa = ExperimentRunner.Run(TinyLogl0(), a, threads: 1);
        var sb = ExperimentRunner.Run(TinyLogl0(), b, threads: 2);
        Assert.Equal(12, sa.Computed);
        Assert.Equal(12, sb.Computed);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        // A second run finds everything finished and adds nothing.
        var again = ExperimentRunner.Run(TinyLogl0(), a, threads: 2);
        Assert.Equal(0, again.Computed);
        Assert.Equal(12, again.Resumed);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
    }

    [Fact]
    public void A_torn_last_line_is_dropped_and_recomputed()
    {
        string full = Path.Combine(_dir, "full.jsonl"), torn = Path.Combine(_dir, "torn.jsonl");
        ExperimentRunner.Run(TinyLogl0(), full, threads: 2);
        var bytes = File.ReadAllBytes(full);
        // Keep the header and the first records, then half of the next line: what kill -9 mid-write leaves.
        int cut = 0, lines = 0;
        while (lines < 5) if (bytes[cut++] == (byte)'\n') lines++;
        File.WriteAllBytes(torn, bytes[..(cut + 40)]);
        var s = ExperimentRunner.Run(TinyLogl0(), torn, threads: 1);
        Assert.Equal(4, s.Resumed);
        Assert.Equal(8, s.Computed);
        Assert.Equal(bytes, File.ReadAllBytes(torn));
    }

    [Fact]
    public void A_file_of_another_spec_is_refused_untouched()
    {
        string path = Path.Combine(_dir, "x.jsonl");
        ExperimentRunner.Run(new AkemExperiment(quick: true), path, threads: 2);
        var before = File.ReadAllBytes(path);
        var e = Assert.Throws<ArgumentException>(() => ExperimentRunner.Run(new AkemExperiment(quick: false), path));
        Assert.Contains("different akem spec", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        e = Assert.Throws<ArgumentException>(() => ExperimentRunner.Run(TinyLogl0(), path));
        Assert.Contains("experiment 'akem'", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void Csv_export_has_one_row_per_record()
    {
        string path = Path.Combine(_dir, "f.jsonl"), csv = Path.Combine(_dir, "f.csv");
        ExperimentRunner.Run(TinyLogl0(), path, threads: 2);
        Assert.Equal(12, CsvExport.Export(path, csv));
        var lines = File.ReadAllLines(csv);
        Assert.Equal(13, lines.Length);
        Assert.StartsWith("key,experiment,configuration,seed,beta_index,beta,", lines[0]);
        Assert.Contains("lsr_unique", lines[0]);
    }

    [Fact]
    public void Killed_runs_resume_to_the_same_file()
    {
        // The real thing: `denseam run akem` killed (SIGKILL) at random moments, then rerun until it finishes.
        string reference = Path.Combine(_dir, "ref"), killed = Path.Combine(_dir, "killed");
        Assert.Equal(0, DenseamProcess.Run(_dir, "run", "akem", "--out", reference, "--threads", "2"));
        var rng = new Random(2024);
        int kills = 0;
        string partial = Path.Combine(killed, "akem.jsonl");
        for (int attempt = 0; attempt < 6; attempt++)
        {
            // Kill once the file has grown by a random number of records (so the kill lands mid-run on any machine),
            // at a random moment between two polls.
            int before = File.Exists(partial) ? File.ReadAllLines(partial).Length : 0;
            int grow = 1 + rng.Next(150);
            using var p = DenseamProcess.Start(_dir, "run", "akem", "--out", killed, "--threads", "2");
            while (!p.HasExited && (!File.Exists(partial) || File.ReadAllLines(partial).Length < before + grow))
                Thread.Sleep(rng.Next(1, 10));
            if (p.HasExited) break;
            p.Kill();
            p.WaitForExit();
            kills++;
        }
        Assert.Equal(0, DenseamProcess.Run(_dir, "run", "akem", "--out", killed, "--threads", "1"));
        Assert.True(kills > 0, "no run was killed; the kill window missed the run");
        Assert.Equal(File.ReadAllLines(Path.Combine(reference, "akem.jsonl")), File.ReadAllLines(Path.Combine(killed, "akem.jsonl")));
    }
}
