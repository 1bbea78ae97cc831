using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using AmebaOta.Cli.Commands;
using AmebaOta.Cli.Dashboard.Runs;
using AmebaOta.Cli.Dashboard.Sites;
using AmebaOta.Cli.Dashboard.Virtual;
using AmebaOta.Device.Farm;
using AmebaOta.Discovery;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Fleet.Sites;

namespace AmebaOta.Cli.Dashboard;

/// <summary><c>ameba-ota dashboard</c>: the fleet in a browser.</summary>
public static class DashboardCommand
{
    public const int DefaultPort = 8080;

    public static Command Build()
    {
        var ip = new Option<string>("--ip") { Description = "Address to listen on (default loopback; any other prints a warning: every host that reaches it sees the boards)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "HTTP port (0: any free port)", DefaultValueFactory = _ => DefaultPort };
        var iface = DiscoverCommands.InterfaceOption();
        var db = History.HistoryDatabase.Option();
        var farmCount = new Option<int?>("--farm") { Description = "Also run N virtual boards in the dashboard (MyAmeba-001 … on 127.0.0.2 …; flash files in a temporary directory): their serial output and controls are in the page", HelpName = "N" };
        var farmImage = new Option<FileInfo?>("--farm-image") { Description = "With --farm: the image the virtual boards start with (default: a version-1 ota_basic image)" };
        var flashTiming = FlashTimingOption.Create();
        flashTiming.Description = "With --farm: " + flashTiming.Description;
        var attach = new Option<string?>("--attach") { Description = "Show and control the virtual boards of a running 'device farm --control PATH'", HelpName = "PATH" };
        var command = new Command("dashboard",
            "A fleet dashboard in the browser: every board found by mDNS, live; drop an image to see its checks, update boards (or roll\n" +
            "the image out in stages) with live progress and a stop button; the update history; virtual boards' serial output and\n" +
            "their reset, recovery pin, Wi-Fi and power-cut buttons. Listens on loopback unless --ip says otherwise; every change needs\n" +
            "the token printed at start (the link printed carries it). The page needs no network beyond this machine. Ctrl+C stops.\n" +
            "Example: ameba-ota dashboard --interface lo --farm 20\n" +
            "Example: ameba-ota dashboard --port 8080 --attach /tmp/farm.sock")
        { ip, port, iface, db, farmCount, farmImage, flashTiming, attach };

        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var address = AddressParsing.Parse(parse.GetValue(ip)!, "--ip", allowNames: false);
            int p = OptionChecks.InRange(parse.GetValue(port), 0, 65535, "--port");
            int? count = parse.GetValue(farmCount);
            string? attachPath = parse.GetValue(attach);
            if (count is not null && attachPath is not null) throw new CliError(ExitCodes.Usage, "give either --farm or --attach, not both");
            if (count is { } n) OptionChecks.InRange(n, 1, DeviceFarmOptions.MaxBoards, "--farm");
            if (count is null && parse.GetValue(farmImage) is not null) throw new CliError(ExitCodes.Usage, "--farm-image is for --farm N");
            var options = new DashboardOptions(address, p, parse.GetValue(iface), History.HistoryDatabase.Resolve(parse.GetValue(db)), count,
                parse.GetValue(farmImage) is { } image ? ImageFile.Load(image.FullName) : null, FlashTimingOption.Read(parse, flashTiming), attachPath);
            return await RunAsync(options, cancellationToken);
        }));
        return command;
    }

    private static async Task<int> RunAsync(DashboardOptions options, CancellationToken cancellationToken)
    {
        void Warn(string message) => Output.Diagnostics.Warning(message);
        try
        {
            if (options.Interface is not null) MdnsInterface.Resolve(options.Interface);
        }
        catch (MdnsException e)
        {
            throw new CliError(ExitCodes.IoError, e.Message);
        }
        bool loopback = IPAddress.IsLoopback(options.Address);
        if (!loopback)
            Warn($"listening on {options.Address}, not loopback: every host that reaches it sees the boards and the history (changes still need the token)");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Ctrl+C and SIGTERM arrive as the command's cancellation; a closed terminal (SIGHUP) stops it as cleanly.
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; stop.Cancel(); });

        using var history = DashboardHistory.Open(options.Database, Warn);
        var state = new DashboardState();
        state.SetHistory(history.Boards());
        await using var farm = await StartFarmAsync(options, cancellationToken);
        if (farm is not null)
        {
            state.MarkVirtual(farm.Boards);
            farm.BoardAdded += name => state.MarkVirtual([name]);
            if (farm is InProcessFarm own)
                _ = own.Running.ContinueWith(t => Warn($"the virtual boards stopped: {t.Exception?.GetBaseException().Message}"),
                    CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
        await using var sites = SiteFeedFor(history, state, Warn);
        await using var runs = new RunManager(state, history, options.Interface, sites is null ? null : new SiteRuns(sites.Queue, Warn));
        await using var discovery = new DiscoveryFeed(state, history, options.Interface, Warn);
        discovery.Start();
        sites?.Start();

        var gate = new DashboardGate(DashboardGate.NewToken(), loopback);
        var server = new ServerJson(typeof(DashboardCommand).Assembly.GetName().Version?.ToString(3) ?? "?", loopback, options.Interface ?? "every multicast interface", DateTimeOffset.UtcNow);
        var api = new DashboardApi(state, new ImageShelf(), runs, history, farm, server, stop.Token);
        await using var web = await DashboardServer.StartAsync(options.Address, options.Port, gate, api, cancellationToken);

        string host = web.EndPoint.Address.Equals(IPAddress.Any) || web.EndPoint.Address.Equals(IPAddress.IPv6Any) ? "127.0.0.1" : web.EndPoint.Address.ToString();
        if (host.Contains(':')) host = $"[{host}]";
        string url = $"http://{host}:{web.EndPoint.Port}/";
        Console.WriteLine($"dashboard: {url}#token={gate.Token}");
        Console.WriteLine($"token:     {gate.Token} (needed for every change: images, updates, stops, board controls)");
        Console.WriteLine($"mDNS:      {options.Interface ?? "every multicast interface"}; history: {history.Where}");
        if (farm is not null) Console.WriteLine($"virtual:   {farm.Source}");
        Console.WriteLine("Ctrl+C stops");
        await web.RunUntilAsync(stop.Token);
        return ExitCodes.Ok;
    }

    /// <summary>With a shared PostgreSQL database: the sites, their agents and their boards, live.</summary>
    private static SiteFeed? SiteFeedFor(DashboardHistory history, DashboardState state, Action<string> warn) =>
        history.Best.Store is { Engine: Fleet.History.DatabaseEngine.Postgres } store ? new SiteFeed(new JobQueue(store), state, history, warn) : null;

    private static async Task<IVirtualFarm?> StartFarmAsync(DashboardOptions options, CancellationToken cancellationToken)
    {
        try
        {
            if (options.FarmCount is { } count) return InProcessFarm.Start(count, options.FarmImage, options.Interface, options.FlashTiming);
            if (options.Attach is { } path) return await AttachedFarm.AttachAsync(path, cancellationToken);
            return null;
        }
        catch (FarmException e)
        {
            throw new CliError(e.Problem == FarmProblem.MissingInput ? ExitCodes.BadInput : ExitCodes.Usage, e.Message);
        }
    }
}

/// <summary>What <c>ameba-ota dashboard</c> was asked to do (<see cref="Database"/>: the history file, or null for none).</summary>
public sealed record DashboardOptions(IPAddress Address, int Port, string? Interface, string? Database, int? FarmCount, ImageFile? FarmImage,
    Flash.FlashTiming FlashTiming, string? Attach);
