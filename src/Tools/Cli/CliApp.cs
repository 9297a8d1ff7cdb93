using System.CommandLine;
using DenseAm.Formats;

namespace DenseAm.Cli;

/// <summary>The `denseam` command line: one subcommand per file, registered here.</summary>
public static class CliApp
{
    /// <summary>Exit code for bad input (arguments, files, values).</summary>
    public const int BadInput = 2;

    /// <summary>Runs the command line with the console's streams; returns the process exit code (2 for bad input).</summary>
    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the command line writing to the given streams (used by the tests).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("DenseAM Toolkit: Dense Associative Memories with the Epanechnikov (LSR) energy.");
        var io = new CliIO(stdout, stderr);
        root.Subcommands.Add(RetrieveCommand.Create(io));
        root.Subcommands.Add(BetaCommand.Create(io));
        root.Subcommands.Add(EnumerateCommand.Create(io));
        root.Subcommands.Add(RunCommand.Create(io));
        root.Subcommands.Add(RunCommand.CreateExport(io));
        root.Subcommands.Add(WorkerCommand.Create(io));
        root.Subcommands.Add(ReproduceCommand.Create(io));
        root.Subcommands.Add(ReproduceCommand.CreateClaims(io));
        root.Subcommands.Add(DataCommand.Create(io));
        root.Subcommands.Add(BenchCommand.Create(io));
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            stderr.WriteLine($"denseam: {OneLine(parsed.Errors[0].Message)}");
            return BadInput;
        }
        return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
    }

    /// <summary>Runs <paramref name="body"/>, turning bad-input exceptions into one line on stderr and exit code 2.</summary>
    internal static int Guarded(CliIO io, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is ArgumentException or DataFormatException or FileNotFoundException
                                      or DirectoryNotFoundException or UnauthorizedAccessException or OverflowException)
        {
            io.Error.WriteLine($"denseam: {OneLine(e.Message)}");
            return BadInput;
        }
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");
}

/// <summary>The output streams a command writes to.</summary>
internal sealed record CliIO(TextWriter Out, TextWriter Error);
