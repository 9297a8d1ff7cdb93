using System.Diagnostics;

namespace DenseAm.Tests.Runner;

/// <summary>Starts the built `denseam` CLI (copied beside the tests) as a separate process.</summary>
internal static class DenseamProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "denseam.dll");

    public static Process Start(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    public static int Run(string workingDirectory, params string[] args)
    {
        using var p = Start(workingDirectory, args);
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"denseam {string.Join(' ', args)} did not finish in 5 minutes.");
        }
        return p.ExitCode;
    }
}
