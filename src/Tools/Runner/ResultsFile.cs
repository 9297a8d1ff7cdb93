using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DenseAm.Runner;

/// <summary>
/// A JSONL results file: a header record (experiment, toolkit version, spec, notes), then one result record
/// per unit, each appended as one write of a whole line and flushed. Opening an existing file resumes it:
/// a torn last line (a run killed mid-write) is cut off, the finished keys are read back, and a header whose
/// spec differs from this run's is refused, so results of different specs never mix.
/// </summary>
public sealed class ResultsFile : IDisposable
{
    private readonly FileStream _stream;
    private readonly HashSet<string> _finished = new(StringComparer.Ordinal);
    private readonly List<JsonObject> _records = new();

    private ResultsFile(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>Keys of the units already in the file.</summary>
    public IReadOnlySet<string> FinishedKeys => _finished;

    /// <summary>Result records already in the file (header excluded), in file order.</summary>
    public IReadOnlyList<JsonObject> Records => _records;

    /// <summary>The toolkit version written into headers.</summary>
    public static string ToolkitVersion =>
        typeof(Energy).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>Opens (creating or resuming) the results file for an experiment with the given spec and notes.</summary>
    /// <exception cref="ArgumentException">The file belongs to another experiment or spec, or is not a results file.</exception>
    public static ResultsFile Open(string path, string experiment, JsonObject spec, IReadOnlyList<string> notes)
    {
        ArgumentNullException.ThrowIfNull(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var file = new ResultsFile(path, stream);
        try
        {
            file.Load(experiment, spec, notes);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        return file;
    }

    private void Load(string experiment, JsonObject spec, IReadOnlyList<string> notes)
    {
        var bytes = new byte[_stream.Length];
        _stream.Position = 0;
        _stream.ReadExactly(bytes);
        int lastNewline = Array.LastIndexOf(bytes, (byte)'\n');
        long keep = lastNewline + 1;
        if (keep < bytes.Length)
        {
            // A run killed mid-write leaves a line without its newline: drop it, the unit is recomputed.
            _stream.SetLength(keep);
        }
        string specText = spec.ToJsonString();
        if (keep == 0)
        {
            var header = new JsonObject
            {
                ["record"] = "header",
                ["experiment"] = experiment,
                ["toolkit_version"] = ToolkitVersion,
                ["spec"] = JsonNode.Parse(specText),
                ["notes"] = new JsonArray(notes.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray()),
            };
            _stream.Position = 0;
            WriteLine(header);
            return;
        }
        string text = Encoding.UTF8.GetString(bytes, 0, (int)keep);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < lines.Length; i++)
        {
            JsonObject? obj;
            try
            {
                obj = JsonNode.Parse(lines[i]) as JsonObject;
            }
            catch (JsonException e)
            {
                throw new ArgumentException($"{Path}: line {i + 1} is not a JSON record ({e.Message}); not a DenseAM results file, or damaged.");
            }
            if (obj is null) throw new ArgumentException($"{Path}: line {i + 1} is not a JSON object.");
            if (i == 0)
            {
                if ((string?)obj["record"] != "header")
                    throw new ArgumentException($"{Path}: line 1 is not a header record; not a DenseAM results file.");
                if ((string?)obj["experiment"] != experiment)
                    throw new ArgumentException($"{Path} holds results of experiment '{(string?)obj["experiment"]}', not '{experiment}'; choose another --out.");
                if (obj["spec"]?.ToJsonString() != specText)
                    throw new ArgumentException($"{Path} holds results of a different {experiment} spec; choose another --out (or delete the file to start over).");
                continue;
            }
            string? key = (string?)obj["key"];
            if (key is null) throw new ArgumentException($"{Path}: line {i + 1} has no key.");
            if (_finished.Add(key)) _records.Add(obj);
        }
        _stream.Position = keep;
    }

    /// <summary>Appends one result record as a single line and flushes it to the operating system.</summary>
    public void Append(JsonObject record)
    {
        ArgumentNullException.ThrowIfNull(record);
        string key = (string?)record["key"] ?? throw new ArgumentException("record has no key.", nameof(record));
        if (!_finished.Add(key)) throw new InvalidOperationException($"unit {key} is already in {Path}.");
        _records.Add(record);
        WriteLine(record);
    }

    private void WriteLine(JsonObject record)
    {
        var line = Encoding.UTF8.GetBytes(record.ToJsonString() + "\n");
        _stream.Write(line);
        _stream.Flush();
    }

    /// <summary>Flushes to disk and closes the file.</summary>
    public void Dispose()
    {
        try { _stream.Flush(flushToDisk: true); } catch (IOException) { }
        _stream.Dispose();
    }

    /// <summary>Reads every result record of a results file (header excluded), ignoring a torn last line.</summary>
    public static IReadOnlyList<JsonObject> ReadRecords(string path, out JsonObject header)
    {
        var text = File.ReadAllText(path);
        int cut = text.LastIndexOf('\n');
        var lines = (cut < 0 ? "" : text[..(cut + 1)]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || JsonNode.Parse(lines[0]) is not JsonObject h || (string?)h["record"] != "header")
            throw new ArgumentException($"{path}: not a DenseAM results file (no header record on line 1).");
        header = h;
        return lines.Skip(1).Select(l => (JsonObject)JsonNode.Parse(l)!).ToList();
    }
}
