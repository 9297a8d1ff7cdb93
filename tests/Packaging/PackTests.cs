using System.Diagnostics;

namespace DenseAm.Tests.Packaging;

/// <summary>Packs DenseAm.Native and DenseAm.Core into a local folder feed and builds a consumer project against them (no network).</summary>
public sealed class PackTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("denseam-pack-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d != null && !File.Exists(Path.Combine(d.FullName, "DenseAmToolkit.sln"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }

    private static (int Code, string Output) Dotnet(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output + err.Result);
    }

    [Fact]
    public void A_consumer_builds_against_the_packed_core()
    {
        string root = RepoRoot();
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        string feed = Path.Combine(_dir, "feed");
        foreach (var project in new[] { "src/Core.Native/Core.Native.csproj", "src/Core.Managed/Core.Managed.csproj" })
        {
            var (code, output) = Dotnet(root, "pack", project, "-c", configuration, "--no-build", "-o", feed);
            Assert.True(code == 0, output);
        }
        Assert.Contains(Directory.GetFiles(feed), f => Path.GetFileName(f).StartsWith("DenseAm.Core.", StringComparison.Ordinal));
        string app = Path.Combine(_dir, "consumer");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <configuration>
              <packageSources><clear /><add key="local" value="{feed}" /></packageSources>
            </configuration>
            """);
        // A private packages folder, so the machine's NuGet cache never serves an older build of the same version.
        File.WriteAllText(Path.Combine(app, "Consumer.csproj"), $$"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable>
                <RestorePackagesPath>{{Path.Combine(_dir, "packages")}}</RestorePackagesPath></PropertyGroup>
              <ItemGroup><PackageReference Include="DenseAm.Core" Version="0.1.0" /></ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using DenseAm;
            using DenseAm.Enumeration;
            using DenseAm.Kernels;
            using DenseAm.Retrieval;
            var p = StoredPatterns.FromRows([-1.0], [1.0]);
            var x = new double[1];
            var o = Retriever.FixedPoint(new Energy(p, Kernel.Epanechnikov, 0.9), [0.2], x);
            var all = new MemoryEnumerator(p, 0.9).Collect();
            System.Console.WriteLine($"{o.Status} {x[0]} {all.Count} {DenseAm.Native.Blas.Default.Kind}");
            """);
        var (runCode, runOutput) = Dotnet(app, "run", "-c", "Release");
        Assert.True(runCode == 0, runOutput);
        Assert.Contains("Converged 0 3 ", runOutput);
    }
}
