using System.CommandLine;
using AmebaOta.Cli.Demo;
using AmebaOta.Discovery;
using AmebaOta.Families;

namespace AmebaOta.Cli.Commands;

/// <summary><c>ameba-ota demo</c>: the whole Ameba OTA tutorial on a temporary virtual board, loopback only.</summary>
public static class DemoCommand
{
    public static Command Build()
    {
        var command = new Command("demo",
            "Watch the Ameba OTA tutorial happen on a virtual board, in a few seconds, with no hardware and nothing to prepare:\n" +
            "version 1 uploaded by USB, the board found by mDNS, version 2 uploaded over the air, then the recovery pin held and released.\n" +
            "--family amebad: the AmebaD tutorial (OTA_Basic): OTA_All.bin made without ImageTool, the board found by mDNS on 5000 and\n" +
            "updated on 8082 into OTA2, then the USB-after-OTA trap (a USB upload written to OTA1 and never booted) and its fix over the air.\n" +
            "Loopback only (127.0.0.1, mDNS on lo; where lo has no multicast, inside a private user + network namespace it makes itself);\n" +
            "a temporary board, removed afterwards. Exits 0 when every boot chose the expected image.\n" +
            "The board's flash keeps datasheet typical time (--flash-timing).\n" +
            "Example: ameba-ota demo\n" +
            "Example: ameba-ota demo --family amebad");
        var flashTiming = FlashTimingOption.Create();
        var family = FamilyOption.Create("Which family's tutorial: ameba1 (the default: RTL8195A, recovery pin) or amebad (BW16: OTA1/OTA2, the USB-after-OTA trap)");
        command.Add(flashTiming);
        command.Add(family);
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            if (await DemoNamespace.RunElsewhereAsync(cancellationToken) is { } exitCode) return exitCode;
            try
            {
                var chosen = FamilyOption.Read(parse, family) ?? BoardFamilies.Ameba1;
                var timing = FlashTimingOption.Read(parse, flashTiming, chosen);
                var demo = TutorialDemos.For(chosen, new DemoOutput(), timing)
                    ?? throw new CliError(ExitCodes.Usage, $"there is no {chosen.DisplayName} tutorial yet: use --family {TutorialDemos.Ids}");
                await demo.RunAsync(cancellationToken);
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
