using System.CommandLine;
using AmebaOta.Cli.Commands;

namespace AmebaOta.Cli;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = BuildRootCommand();
        args = WaitRebootOption.SpellOutDefault(args);
        var result = root.Parse(args);
        if (result.Errors.Count > 0 && result.CommandResult.Command is { Action: null, Subcommands.Count: > 0 } && result.UnmatchedTokens.Count == 0)
        {
            // A command group on its own ("ameba-ota flash"): show what it offers.
            await root.Parse([.. args, "--help"]).InvokeAsync();
            return ExitCodes.Usage;
        }
        if (result.Errors.Count > 0)
        {
            // One line per mistake and a pointer to --help, rather than the whole usage text.
            foreach (var error in result.Errors) Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine($"Try '{string.Join(' ', ["ameba-ota", .. CommandPath(result)])} --help'.");
            return ExitCodes.Usage;
        }
        return await result.InvokeAsync();
    }

    private static IEnumerable<string> CommandPath(ParseResult result)
    {
        var names = new List<string>();
        for (var c = result.CommandResult; c.Parent is System.CommandLine.Parsing.CommandResult parent; c = parent) names.Insert(0, c.Command.Name);
        return names;
    }

    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand(
            "ameba-ota: over-the-air update for Realtek Ameba boards (RTL8195A, RTL8710), and a virtual Ameba to try it on.\n" +
            "Example: ameba-ota image make --version 2 -o v2.bin && ameba-ota upload v2.bin --ip 192.168.1.50");
        root.Add(DemoCommand.Build());
        root.Add(ImageCommands.Build());
        root.Add(FlashCommands.Build());
        root.Add(UploadCommand.Build());
        root.Add(DeviceCommands.Build());
        root.Add(DiscoverCommands.Discover());
        root.Add(DiscoverCommands.Mdns());
        root.Add(FleetCommands.Build());
        root.Add(Serve.ServeCommand.Build());
        root.Add(Serve.PublishCommand.Build());
        return root;
    }
}
