using System.Diagnostics;
using System.Text;

namespace DenseAm.Tests.Abi;

/// <summary>
/// Locates (and when missing or older than its sources, publishes) libdenseam.so, and runs the external
/// programs the ABI tests need: gcc, the compiled C test, and /usr/bin/python3 with the denseam package.
/// </summary>
internal static class NativeLibrary
{
    private static readonly Lock Gate = new();
    private static string? _path;

    public static string RepositoryRoot { get; } = FindRoot();

    public static string PythonDirectory => Path.Combine(RepositoryRoot, "python");

    public static string Header => Path.Combine(RepositoryRoot, "include");

    public static string Python => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    /// <summary>The library to test: $DENSEAM_LIBRARY, else artifacts/native/libdenseam.so, published first if missing or stale.</summary>
    public static string LibraryPath
    {
        get
        {
            lock (Gate)
            {
                return _path ??= Resolve();
            }
        }
    }

    private static string Resolve()
    {
        var env = Environment.GetEnvironmentVariable("DENSEAM_LIBRARY");
        if (!string.IsNullOrEmpty(env)) return env;
        string lib = Path.Combine(RepositoryRoot, "artifacts", "native", "libdenseam.so");
        if (!File.Exists(lib) || File.GetLastWriteTimeUtc(lib) < NewestSource())
        {
            var (code, output) = Run("dotnet", ["publish", Path.Combine(RepositoryRoot, "src", "Tools", "NativeLib", "NativeLib.csproj"),
                "-c", "Release", "-r", "linux-x64", "-o", Path.GetDirectoryName(lib)!, "-nologo"], RepositoryRoot, timeoutSeconds: 600);
            if (code != 0) throw new InvalidOperationException($"dotnet publish of libdenseam failed ({code}):\n{output}");
            // Keep the copy beside the Python package (which it loads first) in step, as the Cake target Native does.
            File.Copy(lib, Path.Combine(PythonDirectory, "denseam", "libdenseam.so"), overwrite: true);
        }
        return lib;
    }

    private static DateTime NewestSource()
    {
        var newest = DateTime.MinValue;
        foreach (var dir in new[] { "src/Tools/NativeLib", "src/Core.Managed", "src/Core.Native" })
        {
            var full = Path.Combine(RepositoryRoot, dir);
            if (!Directory.Exists(full)) continue;
            foreach (var f in Directory.EnumerateFiles(full, "*.*", SearchOption.AllDirectories))
            {
                if (f.Contains("/bin/") || f.Contains("/obj/")) continue;
                if (!(f.EndsWith(".cs") || f.EndsWith(".csproj"))) continue;
                var t = File.GetLastWriteTimeUtc(f);
                if (t > newest) newest = t;
            }
        }
        return newest;
    }

    /// <summary>Compiles a C source against denseam.h and the library with gcc -Wall -Wextra -Werror; returns the executable.</summary>
    public static string CompileC(string source, string outputDirectory)
    {
        string lib = LibraryPath;
        string exe = Path.Combine(outputDirectory, Path.GetFileNameWithoutExtension(source));
        var (code, output) = Run("gcc", ["-O1", "-std=c11", "-Wall", "-Wextra", "-Werror", "-I", Header, "-o", exe, source,
            "-L", Path.GetDirectoryName(lib)!, "-l:" + Path.GetFileName(lib), "-Wl,-rpath," + Path.GetDirectoryName(lib), "-lm"], outputDirectory);
        if (code != 0) throw new InvalidOperationException($"gcc failed ({code}):\n{output}");
        return exe;
    }

    public static (int Code, string Output) RunPython(string[] args, string workingDirectory, int timeoutSeconds = 300)
    {
        EnsurePythonPackages();
        return Run(Python, args, workingDirectory, timeoutSeconds, new()
        {
            ["PYTHONPATH"] = PythonDirectory,
            ["DENSEAM_LIBRARY"] = LibraryPath,
            ["PYTHONDONTWRITEBYTECODE"] = "1",
        });
    }

    private static bool _pythonChecked;

    /// <summary>numpy, pytest and scikit-learn for /usr/bin/python3: installed by scripts/install-python-deps.sh when missing (as root).</summary>
    private static void EnsurePythonPackages()
    {
        lock (Gate)
        {
            if (_pythonChecked) return;
            const string probe = "import numpy, pytest, sklearn";
            var (code, _) = Run(Python, ["-c", probe], RepositoryRoot, 120);
            if (code != 0)
            {
                var (icode, ioutput) = Run("bash", [Path.Combine(RepositoryRoot, "scripts", "install-python-deps.sh")], RepositoryRoot, 900);
                var (again, aoutput) = Run(Python, ["-c", probe], RepositoryRoot, 120);
                if (again != 0)
                    throw new InvalidOperationException($"python3 lacks numpy/pytest/scikit-learn and scripts/install-python-deps.sh could not install them ({icode}):\n{ioutput}\n{aoutput}");
            }
            _pythonChecked = true;
        }
    }

    /// <summary>Runs a program to completion and returns its exit code with stdout and stderr interleaved by line.</summary>
    public static (int Code, string Output) Run(string file, IEnumerable<string> args, string workingDirectory, int timeoutSeconds = 300,
        Dictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (environment != null) foreach (var (k, v) in environment) psi.Environment[k] = v;
        var output = new StringBuilder();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        try
        {
            p.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot start {file}: {e.Message} (scripts/install-python-deps.sh installs the test tools)", e);
        }
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeoutSeconds} s:\n{output}");
        }
        p.WaitForExit();
        lock (output) return (p.ExitCode, output.ToString());
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "DenseAmToolkit.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("DenseAmToolkit.sln not found above " + AppContext.BaseDirectory);
    }
}
