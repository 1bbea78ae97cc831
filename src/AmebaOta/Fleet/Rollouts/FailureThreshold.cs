using System.Globalization;

namespace AmebaOta.Fleet.Rollouts;

/// <summary><c>--max-failures 2</c> or <c>--max-failures 5%</c> (of the boards in the rollout, rounded down): more failures than this is an emergency stop.</summary>
/// <param name="Count">Failures allowed, as a count.</param>
/// <param name="Percent">Failures allowed, as a percentage of all the boards in the rollout.</param>
public readonly record struct FailureThreshold(int? Count, double? Percent)
{
    /// <summary>Parses <c>N</c> or <c>P%</c>.</summary>
    /// <exception cref="FormatException">Neither a count (0 or more) nor a percentage from 0 to 100.</exception>
    public static FailureThreshold Parse(string text)
    {
        text = text.Trim();
        if (text.EndsWith('%') && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out double p) && p >= 0 && p <= 100)
            return new FailureThreshold(null, p);
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n)) return new FailureThreshold(n, null);
        throw new FormatException($"--max-failures '{text}' is neither a number of boards (0, 2) nor a percentage (5%)");
    }

    /// <summary>Failures allowed in a rollout of <paramref name="total"/> boards.</summary>
    public int Allowed(int total) => Count ?? (int)Math.Floor(Percent!.Value * total / 100 + 1e-9);

    /// <summary>True when <paramref name="failures"/> is more than allowed: stop.</summary>
    public bool IsExceeded(int failures, int total) => failures > Allowed(total);

    /// <inheritdoc />
    public override string ToString() => Count is { } c ? c.ToString(CultureInfo.InvariantCulture) : $"{Percent!.Value.ToString(CultureInfo.InvariantCulture)}%";
}
