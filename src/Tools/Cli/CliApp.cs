using System.CommandLine;

namespace DenseAm.Cli;

/// <summary>The `denseam` command line: one subcommand per file, registered here.</summary>
public static class CliApp
{
    /// <summary>Runs the command line; returns the process exit code (2 for bad input).</summary>
    public static int Run(string[] args)
    {
        var root = new RootCommand("DenseAM Toolkit: Dense Associative Memories with the Epanechnikov (LSR) energy.");
        return root.Parse(args).Invoke();
    }
}
