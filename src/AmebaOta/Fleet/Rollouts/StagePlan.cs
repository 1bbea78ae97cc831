using System.Globalization;

namespace AmebaOta.Fleet.Rollouts;

/// <summary>One entry of <c>--stages</c>: how many boards have been sent to once this stage ends, as a count or a percentage of all.</summary>
/// <param name="Count">An absolute number of boards.</param>
/// <param name="Percent">A percentage of the boards in the rollout (rounded up, so 10% of 5 boards is 1).</param>
public readonly record struct StageSize(int? Count, double? Percent)
{
    /// <summary>Boards covered once this stage ends, out of <paramref name="total"/>.</summary>
    public int Resolve(int total) => Math.Min(total, Count ?? (int)Math.Ceiling(Percent!.Value * total / 100 - 1e-9));

    /// <inheritdoc />
    public override string ToString() => Count is { } c ? c.ToString(CultureInfo.InvariantCulture) : $"{Percent!.Value.ToString(CultureInfo.InvariantCulture)}%";
}

/// <summary>
/// <c>--stages 1,10%,50%,100%</c>: cumulative sizes, canary first. Stage k sends to the boards between the end of stage k−1
/// and its own end; a stage that adds no board is dropped, and a last stage short of every board is followed by one for the rest.
/// </summary>
public static class StagePlan
{
    /// <summary>Parses the comma-separated list.</summary>
    /// <exception cref="FormatException">Not a list of positive counts and percentages (up to 100%) that never shrink.</exception>
    public static IReadOnlyList<StageSize> Parse(string text)
    {
        var sizes = new List<StageSize>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.EndsWith('%'))
            {
                if (!double.TryParse(part[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out double p) || !(p > 0) || p > 100)
                    throw new FormatException($"stage '{part}' is not a percentage between 0 (exclusive) and 100");
                sizes.Add(new StageSize(null, p));
            }
            else if (int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0)
            {
                sizes.Add(new StageSize(n, null));
            }
            else
            {
                throw new FormatException($"stage '{part}' is neither a number of boards (1, 10) nor a percentage (10%)");
            }
        }
        if (sizes.Count == 0) throw new FormatException("no stages given");
        return sizes;
    }

    /// <summary>The end (exclusive index into the ordered boards) of each non-empty stage, for <paramref name="total"/> boards; the last is always <paramref name="total"/>.</summary>
    /// <exception cref="FormatException">A stage covers fewer boards than the one before.</exception>
    public static IReadOnlyList<int> Boundaries(IReadOnlyList<StageSize> sizes, int total)
    {
        var ends = new List<int>();
        int previous = 0;
        for (int i = 0; i < sizes.Count; i++)
        {
            int end = sizes[i].Resolve(total);
            if (i > 0 && end < sizes[i - 1].Resolve(total))
                throw new FormatException($"stage {i + 1} ({sizes[i]}) covers fewer boards than stage {i} ({sizes[i - 1]}): stages are cumulative (1,10%,100%)");
            if (end > previous) ends.Add(end);
            previous = Math.Max(previous, end);
        }
        if (previous < total) ends.Add(total);
        return ends;
    }
}
