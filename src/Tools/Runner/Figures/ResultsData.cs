using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DenseAm.Runner.Figures;

/// <summary>One result record of a results file with the line it came from, for error messages.</summary>
internal sealed record ResultRecord(JsonObject Json, int Line, string Path)
{
    public string Where => $"{Path}: line {Line} (key {(Json["key"] is JsonValue k && k.TryGetValue(out string? s) ? s : "?")})";

    public string Configuration => String("configuration");

    public int BetaIndex => Int("beta_index");

    public double Beta => Number("beta");

    public long Seed => Json["seed"] is null ? 0 : (long)Number("seed");

    public string String(string field) =>
        Json[field] is JsonValue v && v.TryGetValue(out string? s)
            ? s
            : throw Bad($"field '{field}' is missing or not a string");

    public bool Has(string field) => Json.ContainsKey(field);

    /// <summary>A number; JSON null (the writers' encoding of a non-finite value) reads as NaN.</summary>
    public double Number(string field)
    {
        if (!Json.TryGetPropertyValue(field, out var node)) throw Bad($"field '{field}' is missing");
        return ToNumber(node, field);
    }

    public int Int(string field)
    {
        double v = Number(field);
        if (!double.IsFinite(v) || v != Math.Floor(v) || Math.Abs(v) > int.MaxValue) throw Bad($"field '{field}' = {v.ToString(CultureInfo.InvariantCulture)} is not an integer");
        return (int)v;
    }

    public bool Bool(string field) =>
        Json[field] is JsonValue v && v.TryGetValue(out bool b) ? b : throw Bad($"field '{field}' is missing or not true/false");

    public double[] Numbers(string field) =>
        Json[field] is JsonArray a ? a.Select(n => ToNumber(n, field)).ToArray() : throw Bad($"field '{field}' is missing or not an array of numbers");

    /// <summary>An array of points (arrays of numbers), each of dimension <paramref name="dimension"/>.</summary>
    public double[][] Points(string field, int dimension)
    {
        if (Json[field] is not JsonArray a) throw Bad($"field '{field}' is missing or not an array of points");
        var points = new double[a.Count][];
        for (int i = 0; i < a.Count; i++)
        {
            if (a[i] is not JsonArray p || p.Count != dimension)
                throw Bad($"field '{field}'[{i}] is not a point of dimension {dimension}");
            points[i] = p.Select(n => ToNumber(n, field)).ToArray();
        }
        return points;
    }

    private double ToNumber(JsonNode? node, string field)
    {
        if (node is null) return double.NaN;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number) return v.GetValue<double>();
        throw Bad($"field '{field}' holds {node.ToJsonString()}, not a number");
    }

    public InvalidDataException Bad(string what) => new($"{Where}: {what}.");
}

/// <summary>
/// A results file read for drawing: header and result records, each line checked, so a damaged or foreign
/// file stops with its path and line number instead of a bare JSON exception.
/// </summary>
internal sealed class ResultsData
{
    private ResultsData(string path, string experiment, JsonObject header, IReadOnlyList<ResultRecord> records)
    {
        Path = path;
        Experiment = experiment;
        Header = header;
        Records = records;
    }

    public string Path { get; }

    public string Experiment { get; }

    public JsonObject Header { get; }

    public IReadOnlyList<ResultRecord> Records { get; }

    /// <summary>The file name without ".jsonl", used as the prefix of the figure files.</summary>
    public string Stem => System.IO.Path.GetFileNameWithoutExtension(Path);

    /// <summary>The header's spec object (empty when absent).</summary>
    public JsonObject Spec => Header["spec"] as JsonObject ?? new JsonObject();

    /// <summary>Reads a results file. A last line without its newline (a run killed mid-write) is ignored, as the runner does.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a DenseAM results file, or a damaged line.</exception>
    public static ResultsData Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"results file '{path}' does not exist.", path);
        string text = File.ReadAllText(path);
        int cut = text.LastIndexOf('\n');
        var lines = (cut < 0 ? "" : text[..(cut + 1)]).Split('\n');
        JsonObject? header = null;
        var records = new List<ResultRecord>();
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.Length == 0) continue;
            JsonObject obj;
            try
            {
                obj = JsonNode.Parse(line) as JsonObject
                      ?? throw new InvalidDataException($"{path}: line {i + 1} is not a JSON object; not a DenseAM results file, or damaged.");
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}: line {i + 1} is not valid JSON ({e.Message}); not a DenseAM results file, or damaged.", e);
            }
            string? kind = obj["record"] is JsonValue rv && rv.TryGetValue(out string? rs) ? rs : null;
            if (header is null)
            {
                if (kind != "header")
                    throw new InvalidDataException($"{path}: line {i + 1} is not a header record (\"record\":\"header\"); not a DenseAM results file.");
                header = obj;
                continue;
            }
            if (kind != "result")
                throw new InvalidDataException($"{path}: line {i + 1} is a '{kind ?? "(no record field)"}' record where a result record was expected.");
            records.Add(new ResultRecord(obj, i + 1, path));
        }
        if (header is null) throw new InvalidDataException($"{path}: empty; not a DenseAM results file (no header record on line 1).");
        string experiment = header["experiment"] is JsonValue ev && ev.TryGetValue(out string? es)
            ? es
            : throw new InvalidDataException($"{path}: the header record names no experiment.");
        foreach (var r in records)
        {
            string exp = r.String("experiment");
            if (exp != experiment) throw r.Bad($"record of experiment '{exp}' in a '{experiment}' results file");
        }
        return new ResultsData(path, experiment, header, records);
    }

    /// <summary>Records grouped by configuration, in order of first appearance.</summary>
    public IReadOnlyList<(string Configuration, IReadOnlyList<ResultRecord> Records)> ByConfiguration() =>
        Records.GroupBy(r => r.Configuration).Select(g => (g.Key, (IReadOnlyList<ResultRecord>)g.ToList())).ToList();

    /// <summary>Fails with the file's path when it holds no result records.</summary>
    public void RequireRecords()
    {
        if (Records.Count == 0) throw new InvalidDataException($"{Path}: no result records to draw.");
    }
}
