using DenseAm.Formats;

namespace DenseAm.Tests.Formats;

public sealed class FormatTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("denseam-formats-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => System.IO.Path.Combine(_dir, name);

    [Theory]
    [InlineData(NpyDType.Float64)]
    [InlineData(NpyDType.Float32)]
    public void Npy_round_trips(NpyDType dtype)
    {
        var m = new Matrix(3, 4);
        for (int i = 0; i < 12; i++) m.Data[i] = i * 0.25 - 1;
        string p = PathOf("a.npy");
        Npy.Write(p, m, dtype);
        var back = Npy.Read(p);
        Assert.Equal(3, back.Rows);
        Assert.Equal(4, back.Columns);
        Assert.Equal(m.Data, back.Data);
        // Header is padded so the data starts on a 64-byte boundary (NumPy's own layout).
        Assert.Equal(0, (new FileInfo(p).Length - 12 * (dtype == NpyDType.Float64 ? 8 : 4)) % 64);
    }

    [Fact]
    public void Npy_truncated_and_malformed_files_name_file_and_offset()
    {
        var m = new Matrix(4, 2);
        string good = PathOf("g.npy");
        Npy.Write(good, m);
        var bytes = File.ReadAllBytes(good);
        string cut = PathOf("cut.npy");
        File.WriteAllBytes(cut, bytes[..(bytes.Length - 5)]);
        var e = Assert.Throws<DataFormatException>(() => Npy.Read(cut));
        Assert.Contains("cut.npy", e.Message);
        Assert.Contains("truncated data", e.Message);
        Assert.Contains($"byte {bytes.Length - 5}", e.Message);

        string magic = PathOf("magic.npy");
        File.WriteAllBytes(magic, "PK\u0003\u0004 not numpy"u8.ToArray());
        Assert.Contains("byte 0", Assert.Throws<DataFormatException>(() => Npy.Read(magic)).Message);

        string header = PathOf("header.npy");
        File.WriteAllBytes(header, bytes[..20]);
        Assert.Contains("truncated header", Assert.Throws<DataFormatException>(() => Npy.Read(header)).Message);

        string fortran = PathOf("f.npy");
        File.WriteAllBytes(fortran, System.Text.Encoding.Latin1.GetBytes(System.Text.Encoding.Latin1.GetString(bytes).Replace("'fortran_order': False", "'fortran_order': True ")));
        Assert.Contains("Fortran", Assert.Throws<DataFormatException>(() => Npy.Read(fortran)).Message);
    }

    [Fact]
    public void Failed_write_leaves_the_existing_file_intact()
    {
        string p = PathOf("keep.npy");
        var m = new Matrix(2, 2, [1, 2, 3, 4]);
        Npy.Write(p, m);
        var before = File.ReadAllBytes(p);
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(p, s => { s.WriteByte(1); throw new InvalidOperationException("boom"); }));
        Assert.Equal(before, File.ReadAllBytes(p));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Csv_reads_headers_and_rejects_ragged_rows()
    {
        string p = PathOf("a.csv");
        File.WriteAllText(p, "x,y\n1,2\n\n# comment\n3.5,-4e-3\n");
        var m = Csv.Read(p);
        Assert.Equal(new double[] { 1, 2, 3.5, -4e-3 }, m.Data);
        Assert.Equal(2, m.Columns);
        File.WriteAllText(p, "1,2\n3\n");
        Assert.Contains("line 2", Assert.Throws<DataFormatException>(() => Csv.Read(p)).Message);
        File.WriteAllText(p, "1,2\n3,abc\n");
        Assert.Contains("line 2, column 2", Assert.Throws<DataFormatException>(() => Csv.Read(p)).Message);
        var w = new Matrix(1, 3, [0.1, 1e-300, -2]);
        MatrixFile.Write(p, w);
        Assert.Equal(w.Data, MatrixFile.Read(p).Data);
    }
}
