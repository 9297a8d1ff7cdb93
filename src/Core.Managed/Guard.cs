using System.Runtime.CompilerServices;

namespace DenseAm;

/// <summary>Argument checks shared by every public entry point; each message names the argument and the bad value.</summary>
internal static class Guard
{
    public static double Positive(double value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (!(value > 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number > 0; got {Fmt(value)}.");
        return value;
    }

    public static double NonNegative(double value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number >= 0; got {Fmt(value)}.");
        return value;
    }

    public static int PositiveInt(int value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (value <= 0)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be > 0; got {value}.");
        return value;
    }

    public static void Finite(ReadOnlySpan<double> values, int columns, string name)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
                throw new ArgumentException(
                    $"{name} must hold finite coordinates; row {i / columns}, column {i % columns} is {Fmt(values[i])}.", name);
        }
    }

    public static void SameDimension(int expected, int actual, string name)
    {
        if (expected != actual)
            throw new ArgumentException($"{name} has dimension {actual}, but the stored patterns have dimension d = {expected}.", name);
    }

    public static string Fmt(double v) => double.IsNaN(v) ? "NaN" : v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
