using System.Globalization;

namespace AmebaOta.Cli.Commands;

/// <summary>Parses <c>--timestamp</c>: Unix seconds, or a date/time (UTC unless it names an offset), or <c>now</c>.</summary>
public static class Pro2Timestamp
{
    public static ulong Parse(string text, TimeProvider clock)
    {
        string t = text.Trim();
        if (t.Equals("now", StringComparison.OrdinalIgnoreCase)) return (ulong)clock.GetUtcNow().ToUnixTimeSeconds();
        if (ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seconds)) return seconds;
        if (DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var when) && when.ToUnixTimeSeconds() >= 0)
            return (ulong)when.ToUnixTimeSeconds();
        throw new CliError(ExitCodes.Usage, $"--timestamp '{text}' is not Unix seconds, a date and time (2025-01-31T15:19:16Z), or now");
    }
}
