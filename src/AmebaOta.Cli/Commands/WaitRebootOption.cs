using System.CommandLine;
using System.Globalization;

namespace AmebaOta.Cli.Commands;

/// <summary><c>--wait-reboot [SECONDS]</c>, shared by <c>upload</c> and <c>fleet upload</c>: given alone it means 30 s.</summary>
public static class WaitRebootOption
{
    public const double DefaultSeconds = 30;

    public static Option<double?> Create() => new("--wait-reboot")
    {
        Description = $"After sending, wait up to SECONDS (default {DefaultSeconds:0}) for the board to reboot and announce itself again by mDNS; exit 7 if it does not",
        HelpName = "SECONDS",
        Arity = ArgumentArity.ZeroOrOne,
        CustomParser = result =>
        {
            if (result.Tokens.Count == 0) return DefaultSeconds;
            if (double.TryParse(result.Tokens[0].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)) return seconds;
            result.OnlyTake(0);   // "--wait-reboot v2.bin": the next word is not a number, so it is not ours
            return DefaultSeconds;
        },
    };

    /// <summary>The value as a time span, checked; null when the option was not given.</summary>
    public static TimeSpan? Read(ParseResult parse, Option<double?> option)
    {
        if (parse.GetValue(option) is not { } seconds) return null;
        if (!(seconds > 0) || seconds > 3600) throw new CliError(ExitCodes.Usage, $"--wait-reboot {seconds} is not a number of seconds between 0 and 3600");
        return TimeSpan.FromSeconds(seconds);
    }
}
