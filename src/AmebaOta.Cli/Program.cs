using System.CommandLine;
using AmebaOta.Cli.Commands;

namespace AmebaOta.Cli;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // Numbers are read and written the same everywhere ("0.5", not "0,5"), and so are System.CommandLine's help headings.
        System.Globalization.CultureInfo.DefaultThreadCurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
        System.Globalization.CultureInfo.DefaultThreadCurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;
        System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
        System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;
        var root = BuildRootCommand();
        if (args is ["help", .. var topic]) args = [.. topic, "--help"];   // "ameba-ota help fleet rollout", as git and dotnet take it
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
            // One line: the first mistake in our words (with the closest command or option on a typo) and where help is.
            Output.Diagnostics.Error(ParseErrorText.Describe(result));
            return ExitCodes.Usage;
        }
        // Ctrl+C and SIGTERM cancel the command from the very start (System.CommandLine only listens once the command's
        // first await has returned; a signal before that would end the process without a word), and the command gets all
        // the time it needs to stop cleanly (a board writes its flash back, says goodbye): System.CommandLine's own
        // deadline (2 s) would return from Main under a board still shutting down. A second signal ends it at once.
        var interrupted = new CancellationTokenSource();
        int signals = 0;
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Interrupt);
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Interrupt);
        return await result.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, interrupted.Token);

        void Interrupt(System.Runtime.InteropServices.PosixSignalContext context)
        {
            context.Cancel = true;
            if (Interlocked.Increment(ref signals) > 1)
                Environment.Exit(context.Signal == System.Runtime.InteropServices.PosixSignal.SIGINT ? ExitCodes.Cancelled : 128 + 15);
            interrupted.Cancel();
        }
    }

    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand(
            "ameba-ota: over-the-air update for Realtek Ameba boards (RTL8195A, RTL8710), and a virtual Ameba to try it on.\n" +
            "Help on a command: ameba-ota help COMMAND, or ameba-ota COMMAND --help.\n" +
            "Example: ameba-ota image make --version 2 -o v2.bin && ameba-ota upload v2.bin --ip 192.168.1.50");
        root.Add(DemoCommand.Build());
        root.Add(ImageCommands.Build());
        root.Add(FlashCommands.Build());
        root.Add(UploadCommand.Build());
        root.Add(DeviceCommands.Build());
        root.Add(DiscoverCommands.Discover());
        root.Add(DiscoverCommands.Mdns());
        root.Add(FleetCommands.Build());
        root.Add(HistoryCommands.Boards());
        root.Add(HistoryCommands.History());
        root.Add(DbCommands.Build());
        root.Add(AgentCommand.Build());
        root.Add(HistoryCommands.Sites());
        root.Add(ArduinoDiscoveryCommand.Build());
        root.Add(Serve.ServeCommand.Build());
        root.Add(Serve.PublishCommand.Build());
        root.Add(Dashboard.DashboardCommand.Build());
        return root;
    }
}
