using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using DenseAm.Runner;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DenseAm.Cli;

/// <summary>`denseam worker`: a hosted background service that runs job files as they appear.</summary>
internal static class WorkerCommand
{
    public static Command Create(CliIO io)
    {
        var jobs = new Option<string>("--jobs") { Description = "Folder watched for job files (*.json: {\"experiment\": \"logl0\", \"quick\": true, \"threads\": 1}).", Required = true };
        var results = new Option<string>("--results") { Description = "Folder for results (JOB.jsonl per job).", Required = true };
        var parallel = new Option<int>("--parallel") { Description = "Jobs run at once.", DefaultValueFactory = _ => 1 };
        var poll = new Option<double>("--poll-seconds") { Description = "How often the jobs folder is scanned.", DefaultValueFactory = _ => 1.0 };
        var once = new Option<bool>("--once") { Description = "Exit when no job is pending or running (otherwise run until SIGTERM/Ctrl+C)." };
        var json = new Option<bool>("--json-logs") { Description = "Log as JSON lines (structured) instead of plain lines." };
        var cmd = new Command("worker", "Run job files from a folder as a hosted background service: finished jobs move to done/, failed ones to failed/ with the reason; SIGTERM stops cleanly and the interrupted job resumes next start.")
        {
            jobs, results, parallel, poll, once, json,
        };
        cmd.SetAction(pr => CliApp.Guarded(io, () =>
        {
            int n = pr.GetValue(parallel);
            if (n <= 0) throw new ArgumentException($"--parallel must be > 0; got {n}.");
            double p = pr.GetValue(poll);
            if (!(p > 0) || double.IsInfinity(p)) throw new ArgumentException($"--poll-seconds must be a finite number > 0; got {p}.");
            var options = new WorkerOptions(Path.GetFullPath(pr.GetValue(jobs)!), Path.GetFullPath(pr.GetValue(results)!), n, TimeSpan.FromSeconds(p), pr.GetValue(once));
            Directory.CreateDirectory(options.Jobs);
            Directory.CreateDirectory(options.Results);
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
            builder.Logging.ClearProviders();
            if (pr.GetValue(json)) builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
            else builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
            builder.Services.AddSingleton(options);
            builder.Services.AddSingleton<JobWorker>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<JobWorker>());
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
            using var host = builder.Build();
            var worker = host.Services.GetRequiredService<JobWorker>();
            host.Run();
            // A failed background service still lets the host exit 0 on .NET 10: report failures ourselves.
            return worker.FailedJobs > 0 ? 1 : 0;
        }));
        return cmd;
    }
}

/// <summary>Settings of the worker.</summary>
internal sealed record WorkerOptions(string Jobs, string Results, int Parallel, TimeSpan Poll, bool Once);

/// <summary>
/// Picks up job files from the jobs folder (polling, in name order), runs each experiment into RESULTS/JOB.jsonl
/// with bounded parallelism, and moves the job file to done/ or failed/ (with JOB.reason.txt). On shutdown the
/// running jobs are cancelled and their files stay in place, so the next start resumes them.
/// </summary>
internal sealed class JobWorker(WorkerOptions options, ILogger<JobWorker> logger, IHostApplicationLifetime lifetime) : BackgroundService
{
    private int _failed;

    public int FailedJobs => Volatile.Read(ref _failed);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("worker watching {Jobs}, results in {Results}, {Parallel} job(s) at once", options.Jobs, options.Results, options.Parallel);
        var running = new Dictionary<string, Task>();
        using var slots = new SemaphoreSlim(options.Parallel);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                foreach (var done in running.Where(kv => kv.Value.IsCompleted).Select(kv => kv.Key).ToList()) running.Remove(done);
                var pending = Directory.GetFiles(options.Jobs, "*.json").Order(StringComparer.Ordinal).Where(f => !running.ContainsKey(f)).ToList();
                foreach (var job in pending)
                {
                    if (!await slots.WaitAsync(0, stoppingToken)) break;
                    running[job] = Task.Run(() =>
                    {
                        try { RunJob(job, stoppingToken); }
                        finally { slots.Release(); }
                    }, CancellationToken.None);
                }
                if (options.Once && running.Count == 0 && pending.Count == 0)
                {
                    logger.LogInformation("no pending jobs; stopping ({Failed} failed)", FailedJobs);
                    lifetime.StopApplication();
                    return;
                }
                await Task.Delay(options.Poll, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await Task.WhenAll(running.Values);
        }
    }

    private void RunJob(string jobPath, CancellationToken stoppingToken)
    {
        string name = Path.GetFileNameWithoutExtension(jobPath);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["Job"] = name });
        string id;
        bool quick;
        int threads;
        try
        {
            (id, quick, threads) = ParseJob(jobPath);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            Fail(jobPath, name, $"malformed job file: {e.Message}");
            return;
        }
        catch (IOException)
        {
            return; // still being written or already moved: the next scan sees it again
        }
        try
        {
            logger.LogInformation("job {Job} started: {Experiment}{Quick}", name, id, quick ? " (quick)" : "");
            var exp = ExperimentCatalog.Create(id, quick, options.Results);
            string results = Path.Combine(options.Results, name + ".jsonl");
            var summary = ExperimentRunner.Run(exp, results, threads, null, stoppingToken);
            if (summary.Cancelled)
            {
                logger.LogWarning("job {Job} interrupted after {Computed} units; it resumes on the next start", name, summary.Computed);
                return;
            }
            Move(jobPath, "done", name);
            logger.LogInformation("job {Job} finished: {Computed} units computed, {Resumed} resumed, {Seconds:F1} s -> {Results}",
                name, summary.Computed, summary.Resumed, summary.Seconds, results);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning("job {Job} interrupted; it resumes on the next start", name);
        }
        catch (Exception e)
        {
            Fail(jobPath, name, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static (string Id, bool Quick, int Threads) ParseJob(string path)
    {
        var node = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                   ?? throw new FormatException("the job must be a JSON object.");
        string id = (string?)node["experiment"] ?? throw new FormatException("the job has no \"experiment\".");
        if (!ExperimentCatalog.Ids.Contains(id))
            throw new FormatException($"experiment '{id}' is unknown; known: {string.Join(", ", ExperimentCatalog.Ids)}.");
        bool quick = node["quick"] is { } q && q.GetValue<bool>();
        int threads = node["threads"] is { } t ? t.GetValue<int>() : 1;
        if (threads < 0) throw new FormatException($"\"threads\" must be >= 0; got {threads}.");
        return (id, quick, threads);
    }

    private void Fail(string jobPath, string name, string reason)
    {
        Interlocked.Increment(ref _failed);
        logger.LogError("job {Job} failed: {Reason}", name, reason);
        string dir = Path.Combine(options.Jobs, "failed");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, name + ".reason.txt"), reason + Environment.NewLine);
        Move(jobPath, "failed", name);
    }

    private void Move(string jobPath, string folder, string name)
    {
        string dir = Path.Combine(options.Jobs, folder);
        Directory.CreateDirectory(dir);
        File.Move(jobPath, Path.Combine(dir, name + ".json"), overwrite: true);
    }
}
