namespace AmebaOta.Cli;

/// <summary>The closest known word to a mistyped command or option: "imag" → "image", "--ipp" → "--ip", "mkae" → "make".</summary>
public static class TypoSuggestion
{
    /// <summary>The candidate nearest to <paramref name="typed"/> (edits, swaps of neighbours, or a prefix), or null when none is near.</summary>
    public static string? Closest(string typed, IEnumerable<string> candidates)
    {
        string t = typed.ToLowerInvariant();
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in candidates.Distinct())
        {
            string c = candidate.ToLowerInvariant();
            int distance = c.StartsWith(t, StringComparison.Ordinal) && t.TrimStart('-').Length >= 2 ? 0 : Distance(t, c);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        int allowed = Math.Max(1, t.TrimStart('-').Length / 3);
        return bestDistance <= allowed ? best : null;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of adjacent letters each cost 1.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
