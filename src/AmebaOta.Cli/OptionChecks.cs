using System.Globalization;

namespace AmebaOta.Cli;

/// <summary>Range checks on option values, with messages that say what is accepted and what was given (exit 1).</summary>
public static class OptionChecks
{
    /// <summary>A number of seconds above 0 and at most <paramref name="max"/>.</summary>
    public static double Seconds(double value, double max, string option) =>
        value > 0 && value <= max ? value
            : throw new CliError(ExitCodes.Usage, $"{option} takes a number of seconds above 0 and at most {Text(max)}, not {Text(value)}");

    /// <summary>A value from <paramref name="min"/> to <paramref name="max"/>, both included.</summary>
    public static T InRange<T>(T value, T min, T max, string option) where T : IComparable<T>, IFormattable =>
        value.CompareTo(min) >= 0 && value.CompareTo(max) <= 0 ? value
            : throw new CliError(ExitCodes.Usage, $"{option} takes {Text(min)} to {Text(max)}, not {Text(value)}");

    private static string Text<T>(T value) where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
}
