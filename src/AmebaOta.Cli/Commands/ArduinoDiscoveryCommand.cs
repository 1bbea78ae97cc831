using System.CommandLine;
using AmebaOta.Arduino;
using AmebaOta.Discovery;

namespace AmebaOta.Cli.Commands;

/// <summary><c>ameba-ota arduino-discovery</c>: the Arduino IDE 2 / arduino-cli pluggable discovery for Ameba boards, on stdin/stdout.</summary>
public static class ArduinoDiscoveryCommand
{
    public static Command Build()
    {
        var iface = DiscoverCommands.InterfaceOption();
        var command = new Command("arduino-discovery",
            "Arduino pluggable discovery (protocol 1) on stdin/stdout, for Arduino IDE 2 and arduino-cli: lists the Ameba boards mDNS finds\n" +
            "as 'network' ports (address, label, hostname, port, TXT) and removes them when they say goodbye or go silent (TTL expiry).\n" +
            "Commands: HELLO 1 \"agent\", START, LIST, START_SYNC, STOP, QUIT. Registered in a board package's platform.local.txt (see docs/arduino.md).\n" +
            "Example: ameba-ota arduino-discovery --interface eth0    (then type: HELLO 1 \"me\", START_SYNC, QUIT)") { iface };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var server = new PluggableDiscoveryServer(new MdnsBrowserOptions { Interface = parse.GetValue(iface) });
            try
            {
                await server.RunAsync(Console.In, Console.Out, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
            return ExitCodes.Ok;
        }));
        return command;
    }
}
