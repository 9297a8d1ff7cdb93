using System.Diagnostics;
using DenseAm.Runner;
using Spectre.Console;

namespace DenseAm.Cli;

/// <summary>Progress for long runs: a Spectre.Console bar on a terminal, plain lines every few seconds otherwise.</summary>
internal static class Progress
{
    public static RunSummary Track(CliIO io, string title, Func<Action<RunProgress>, RunSummary> body)
    {
        bool terminal = ReferenceEquals(io.Error, Console.Error) && !Console.IsErrorRedirected;
        if (terminal)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            return console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(title);
                    return body(p =>
                    {
                        task.MaxValue = Math.Max(1, p.Total);
                        task.Value = p.Done;
                    });
                });
        }
        var sw = Stopwatch.StartNew();
        double last = -10;
        object gate = new();
        return body(p =>
        {
            lock (gate)
            {
                if (sw.Elapsed.TotalSeconds - last < 5 && p.Done != p.Total) return;
                last = sw.Elapsed.TotalSeconds;
                io.Error.WriteLine($"{title}: {p.Done}/{p.Total} units ({p.Resumed} resumed), {sw.Elapsed.TotalSeconds:F1} s");
            }
        });
    }
}
