namespace DenseAm.Tests.Runner;

public sealed class WorkerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("denseam-worker-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Worker_survives_malformed_jobs_and_exits_non_zero()
    {
        string jobs = Path.Combine(_dir, "jobs"), results = Path.Combine(_dir, "results");
        Directory.CreateDirectory(jobs);
        File.WriteAllText(Path.Combine(jobs, "1-bad.json"), "{not json");
        File.WriteAllText(Path.Combine(jobs, "2-unknown.json"), "{\"experiment\": \"lmax9\"}");
        File.WriteAllText(Path.Combine(jobs, "3-good.json"), "{\"experiment\": \"akem\", \"quick\": true, \"threads\": 2}");
        int code = DenseamProcess.Run(_dir, "worker", "--jobs", jobs, "--results", results, "--once", "--poll-seconds", "0.2");
        Assert.Equal(1, code);
        Assert.True(File.Exists(Path.Combine(jobs, "done", "3-good.json")));
        Assert.True(File.Exists(Path.Combine(jobs, "failed", "1-bad.json")));
        Assert.Contains("malformed job file", File.ReadAllText(Path.Combine(jobs, "failed", "1-bad.reason.txt")));
        Assert.Contains("lmax9", File.ReadAllText(Path.Combine(jobs, "failed", "2-unknown.reason.txt")));
        var lines = File.ReadAllLines(Path.Combine(results, "3-good.jsonl"));
        Assert.Equal(1 + 288, lines.Length);
        Assert.Empty(Directory.GetFiles(jobs, "*.json"));
    }

    [Fact]
    public void Sigterm_stops_cleanly_and_the_job_resumes()
    {
        string jobs = Path.Combine(_dir, "jobs"), results = Path.Combine(_dir, "results");
        Directory.CreateDirectory(jobs);
        File.WriteAllText(Path.Combine(jobs, "long.json"), "{\"experiment\": \"akem\", \"threads\": 1}");
        using (var p = DenseamProcess.Start(_dir, "worker", "--jobs", jobs, "--results", results, "--poll-seconds", "0.2"))
        {
            string partial = Path.Combine(results, "long.jsonl");
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && (!File.Exists(partial) || File.ReadAllLines(partial).Length < 20)) Thread.Sleep(50);
            Assert.Equal(0, Signals.Term(p.Id));
            Assert.True(p.WaitForExit(TimeSpan.FromSeconds(60)), "worker did not stop after SIGTERM");
            Assert.Equal(0, p.ExitCode);
        }
        Assert.True(File.Exists(Path.Combine(jobs, "long.json")), "the interrupted job must stay pending");
        Assert.Equal(0, DenseamProcess.Run(_dir, "worker", "--jobs", jobs, "--results", results, "--once", "--poll-seconds", "0.2"));
        Assert.True(File.Exists(Path.Combine(jobs, "done", "long.json")));
        Assert.Equal(1 + 8 * (7 + 141), File.ReadAllLines(Path.Combine(results, "long.jsonl")).Length);
    }
}

internal static class Signals
{
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int sig);

    /// <summary>Sends SIGTERM (15), as a service manager does on shutdown.</summary>
    public static int Term(int pid) => Kill(pid, 15);
}
