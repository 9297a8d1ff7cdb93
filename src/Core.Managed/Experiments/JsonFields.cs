using System.Text.Json.Nodes;

namespace DenseAm.Experiments;

/// <summary>Small builders for result records (trimming-safe: only primitive JSON values).</summary>
public static class JsonFields
{
    /// <summary>A JSON array of numbers; non-finite values become null (JSON has no NaN or ∞).</summary>
    public static JsonArray Numbers(IEnumerable<double> values) =>
        new(values.Select(v => double.IsFinite(v) ? JsonValue.Create(v) : null).ToArray<JsonNode?>());

    /// <summary>A JSON array of integers.</summary>
    public static JsonArray Integers(IEnumerable<long> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    /// <summary>A JSON array of strings.</summary>
    public static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    /// <summary>A JSON array of number arrays (points).</summary>
    public static JsonArray Points(IEnumerable<double[]> points) => new(points.Select(p => (JsonNode?)Numbers(p)).ToArray());

    /// <summary>A number, or null when it is not finite.</summary>
    public static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;
}
