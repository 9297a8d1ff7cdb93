using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DenseAm.Formats;

namespace DenseAm.Runner;

/// <summary>Turns a JSONL results file into CSV: one row per result record, columns in order of first appearance.</summary>
public static class CsvExport
{
    /// <summary>Writes the result records of <paramref name="resultsPath"/> to <paramref name="csvPath"/> (atomically); returns the row count.</summary>
    public static int Export(string resultsPath, string csvPath)
    {
        var records = ResultsFile.ReadRecords(resultsPath, out _);
        var columns = new List<string>();
        var seen = new HashSet<string>();
        foreach (var r in records)
            foreach (var (k, _) in r)
                if (k != "record" && seen.Add(k)) columns.Add(k);
        AtomicFile.Write(csvPath, s =>
        {
            using var w = new StreamWriter(s, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            w.WriteLine(string.Join(",", columns.Select(Quote)));
            foreach (var r in records)
                w.WriteLine(string.Join(",", columns.Select(c => Quote(Cell(r[c])))));
        });
        return records.Count;
    }

    private static string Cell(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    private static string Quote(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
