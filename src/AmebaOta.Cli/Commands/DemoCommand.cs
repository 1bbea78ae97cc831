using System.CommandLine;
using AmebaOta.Cli.Demo;
using AmebaOta.Discovery;

namespace AmebaOta.Cli.Commands;

/// <summary><c>ameba-ota demo</c>: the whole Ameba OTA tutorial on a temporary virtual board, loopback only.</summary>
public static class DemoCommand
{
    public static Command Build()
    {
        var command = new Command("demo",
            "Watch the Ameba OTA tutorial happen on a virtual board, in a few seconds, with no hardware and nothing to prepare:\n" +
            "version 1 uploaded by USB, the board found by mDNS, version 2 uploaded over the air, then the recovery pin held and released.\n" +
            "Loopback only (127.0.0.1, mDNS on lo; where lo has no multicast, inside a private user + network namespace it makes itself);\n" +
            "a temporary board, removed afterwards. Exits 0 when every boot chose the expected image.\n" +
            "The board's flash keeps datasheet typical time (--flash-timing).\n" +
            "Example: ameba-ota demo");
        var flashTiming = FlashTimingOption.Create();
        command.Add(flashTiming);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            if (await DemoNamespace.RunElsewhereAsync(cancellationToken) is { } exitCode) return exitCode;
            try
            {
                await new TutorialDemo(new DemoOutput(), FlashTimingOption.Read(parse, flashTiming)).RunAsync(cancellationToken);
            }
            catch (MdnsException e)
            {
                throw new CliError(ExitCodes.IoError, $"demo: mDNS on lo is not usable: {e.Message}");
            }
            return ExitCodes.Ok;
        }));
        return command;
    }
}
