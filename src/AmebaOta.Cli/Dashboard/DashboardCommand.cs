using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using AmebaOta.Cli.Commands;
using AmebaOta.Cli.Serve.OtaUi;
using AmebaOta.Cli.Dashboard.Runs;
using AmebaOta.Cli.Dashboard.Sites;
using AmebaOta.Cli.Dashboard.Virtual;
using AmebaOta.Device.Farm;
using AmebaOta.Discovery;
using AmebaOta.Families;
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
        var farmFamily = new Option<string?>("--farm-family")
        {
            HelpName = "FAMILY|FAMILY:N,…",
            Description = $"With --farm: the virtual boards' family ({BoardFamilies.Ids}), or a mix in board order, e.g. ameba1:5,amebad:5 (then --farm may be left out); default: the --farm-image's, else ameba1",
        };
        var farmImage = new Option<FileInfo[]>("--farm-image")
        {
            Description = "With --farm: the image the virtual boards of its family start with (repeat it for a mix, one per family; default: the family's version-1 basic OTA example)",
            AllowMultipleArgumentsPerToken = false,
        };
        var flashTiming = FlashTimingOption.Create();
        flashTiming.Description = "With --farm: " + flashTiming.Description;
        var sketchDelays = SketchDelaysOption.Create();
        sketchDelays.Description = "With --farm: " + sketchDelays.Description;
        var users = new Option<FileInfo?>("--users")
        {
            Description = "Give each person a token of their own: a file of NAME TOKEN lines; what each changes is recorded as NAME (the history's audit " +
                          "trail). The printed token stays the OS user's. Each person opens URL#token=THEIR_TOKEN",
            HelpName = "FILE",
        };
        var otaUi = new Option<bool>("--ota-ui")
        {
            Description = "Also be the OTA UI server the boards' sketch beats to (AmebaPro2 OTA, AmebaD OTA_Http): they are listed with their OTA UI state, " +
                          "and a run of an image they download triggers them, serves it and follows their heartbeats",
        };
        var otaUiListen = new Option<string?>("--ota-ui-listen")
        {
            Description = $"With --ota-ui: where the boards send their heartbeats, ADDRESS[:PORT] of this machine (default 127.0.0.1:{OtaUiServeOptions.DefaultPort}; " +
                          "real boards need this machine's address on their network and the port their sketch names)",
            HelpName = "ADDRESS[:PORT]",
        };
        var otaUiFamily = new Option<string>("--ota-ui-family")
        {
            Description = "With --ota-ui: the family shown for a board the history does not know yet (a heartbeat does not say it): amebapro2 or amebad",
            DefaultValueFactory = _ => "amebapro2",
        };
        var attach = new Option<string?>("--attach") { Description = "Show and control the virtual boards of a running 'device farm --control PATH'", HelpName = "PATH" };
        var command = new Command("dashboard",
            "A fleet dashboard in the browser: every board found by mDNS, live; drop an image to see its checks, update boards (or roll\n" +
            "the image out in stages) with live progress and a stop button; the update history; virtual boards' serial output and\n" +
            "their reset, recovery pin, Wi-Fi and power-cut buttons. Listens on loopback unless --ip says otherwise; every change needs\n" +
            "the token printed at start (the link printed carries it). The page needs no network beyond this machine. Ctrl+C stops.\n" +
            "Example: ameba-ota dashboard --interface lo --farm 20\n" +
            "Example: ameba-ota dashboard --interface lo --farm-family ameba1:10,amebad:10\n" +
            "Example: ameba-ota dashboard --port 8080 --attach /tmp/farm.sock\n" +
            "Example: ameba-ota dashboard --ota-ui --ota-ui-listen 192.168.1.10:3000")
        { ip, port, iface, db, farmCount, farmFamily, farmImage, flashTiming, sketchDelays, attach, users, otaUi, otaUiListen, otaUiFamily };

        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var address = AddressParsing.Parse(parse.GetValue(ip)!, "--ip", allowNames: false);
            int p = OptionChecks.InRange(parse.GetValue(port), 0, 65535, "--port");
            var (mix, mixCount) = FarmCommand.ParseMix(parse.GetValue(farmFamily), "--farm-family");
            int? count = parse.GetValue(farmCount) ?? mixCount;
            string? attachPath = parse.GetValue(attach);
            if (count is not null && attachPath is not null) throw new CliError(ExitCodes.Usage, "give either --farm or --attach, not both");
            if (count is { } n) OptionChecks.InRange(n, 1, DeviceFarmOptions.MaxBoards, "--farm");
            var imageFiles = parse.GetValue(farmImage) ?? [];
            if (count is null && imageFiles.Length > 0) throw new CliError(ExitCodes.Usage, "--farm-image is for --farm N");
            if (count is null && mix is not null) throw new CliError(ExitCodes.Usage, "--farm-family needs --farm N (or the counts in it, e.g. ameba1:5,amebad:5)");
            if (mixCount is { } total && parse.GetValue(farmCount) is { } asked && asked != total)
                throw new CliError(ExitCodes.Usage, $"--farm {asked} but --farm-family counts {total} boards");
            if (mix is { Count: 1 } && mix[0].Count == 0 && count is { } all) mix = [(mix[0].Family, all)];
            var images = imageFiles.Select(FarmCommand.LoadImage).ToList();
            if (images.GroupBy(i => i.Family).FirstOrDefault(g => g.Count() > 1) is { } twice)
                throw new CliError(ExitCodes.Usage, $"two --farm-image files are {twice.Key.Id} images: give one image per family");
            if (mix is null && images.Count > 1)
                throw new CliError(ExitCodes.Usage, "several --farm-image files need --farm-family with the mix of boards (e.g. ameba1:5,amebad:5)");
            if (!parse.GetValue(otaUi) && (parse.GetResult(otaUiListen) is { Implicit: false } || parse.GetResult(otaUiFamily) is { Implicit: false }))
                throw new CliError(ExitCodes.Usage, "--ota-ui-listen and --ota-ui-family are for --ota-ui");
            string familyText = parse.GetValue(otaUiFamily)!;
            var otaUiFamilyValue = BoardFamilies.Find(familyText)
                ?? throw new CliError(ExitCodes.Usage, $"--ota-ui-family '{familyText}' is not a family this version knows: use {string.Join(", ", BoardFamilies.All.Select(f => f.Id))}");
            if (!otaUiFamilyValue.UpdatesByOtaUi) throw new CliError(ExitCodes.Usage, $"--ota-ui-family: {otaUiFamilyValue.DisplayName} boards do not update by the OTA UI method");
            var options = new DashboardOptions(address, p, parse.GetValue(iface), History.HistoryDatabase.Resolve(parse.GetValue(db)), count,
                images, FlashTimingOption.Read(parse, flashTiming), attachPath)
            {
                FarmMix = mix,
                FlashTimingFor = FlashTimingOption.ReadPerFamily(parse, flashTiming),
                SketchDelays = SketchDelaysOption.Read(parse, sketchDelays),
                Users = parse.GetValue(users) is { } file ? DashboardUsers.Load(file.FullName) : null,
                OtaUiListen = parse.GetValue(otaUi)
                    ? AddressParsing.ParseEndPoint(parse.GetValue(otaUiListen) ?? $"127.0.0.1:{OtaUiServeOptions.DefaultPort}", "--ota-ui-listen", OtaUiServeOptions.DefaultPort)
                    : null,
                OtaUiFamily = otaUiFamilyValue,
            };
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
        await using var otaUi = options.OtaUiListen is { } listen ? await OtaUiFeed.StartAsync(listen, options.OtaUiFamily, state, history, cancellationToken) : null;
        if (otaUi is not null && !IPAddress.IsLoopback(otaUi.Session.Http.EndPoint.Address) && loopback)
            Warn($"the boards' server listens on {otaUi.Session.Http.EndPoint}: every host that reaches it can beat and download the image a run serves (nothing else)");
        await using var runs = new RunManager(state, history, options.Interface, sites is null ? null : new SiteRuns(sites.Queue, Warn), otaUi);
        await using var discovery = new DiscoveryFeed(state, history, options.Interface, Warn);
        discovery.Start();
        sites?.Start();

        var gate = new DashboardGate(DashboardGate.NewToken(), loopback, options.Users);
        var server = new ServerJson(typeof(DashboardCommand).Assembly.GetName().Version?.ToString(3) ?? "?", loopback, options.Interface ?? "every multicast interface", DateTimeOffset.UtcNow);
        var api = new DashboardApi(state, new ImageShelf(), runs, history, farm, server, stop.Token);
        await using var web = await DashboardServer.StartAsync(options.Address, options.Port, gate, api, cancellationToken);

        string host = web.EndPoint.Address.Equals(IPAddress.Any) || web.EndPoint.Address.Equals(IPAddress.IPv6Any) ? "127.0.0.1" : web.EndPoint.Address.ToString();
        if (host.Contains(':')) host = $"[{host}]";
        string url = $"http://{host}:{web.EndPoint.Port}/";
        Console.WriteLine($"dashboard: {url}#token={gate.Token}");
        Console.WriteLine($"token:     {gate.Token} (needed for every change: images, updates, stops, board controls)");
        if (options.Users is { } people)
            Console.WriteLine(Output.Printable.Of($"users:     {string.Join(", ", people.Select(u => u.Name))}: each opens {url}#token=THEIR_TOKEN; changes are recorded as theirs"));
        Console.WriteLine($"mDNS:      {options.Interface ?? "every multicast interface"}; history: {history.Where}");
        if (farm is not null) Console.WriteLine($"virtual:   {farm.Source}");
        if (otaUi is not null)
            Console.WriteLine($"OTA UI:    boards beat to http://{otaUi.Session.Http.EndPoint}/ (boards the history does not know are shown as {otaUi.Family.Id})");
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
            if (options.FarmCount is { } count)
                return InProcessFarm.Start(count, options.FarmMix, options.FarmImages, options.Interface, options.FlashTiming, options.FlashTimingFor, options.SketchDelays);
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
public sealed record DashboardOptions(IPAddress Address, int Port, string? Interface, string? Database, int? FarmCount, IReadOnlyList<IFirmwareImage> FarmImages,
    Flash.FlashTiming FlashTiming, string? Attach)
{
    /// <summary>The virtual boards' families in board order (null: all of the first image's family, else Ameba1).</summary>
    public IReadOnlyList<(BoardFamily Family, int Count)>? FarmMix { get; init; }

    /// <summary>Each family's flash timing (the profile named by --flash-timing, as that family's parts take it).</summary>
    public Func<BoardFamily, Flash.FlashTiming>? FlashTimingFor { get; init; }

    /// <summary>The virtual boards' sketch waits (real, or short for tests and demos).</summary>
    public AmebaOta.Device.Sketches.SketchTiming SketchDelays { get; init; } = AmebaOta.Device.Sketches.SketchTiming.Real;

    /// <summary>People with tokens of their own (<c>--users</c>), or null.</summary>
    public IReadOnlyList<DashboardUser>? Users { get; init; }

    /// <summary>With <c>--ota-ui</c>: where the boards' heartbeats come (the dashboard is their OTA UI server); null: not.</summary>
    public IPEndPoint? OtaUiListen { get; init; }

    /// <summary>The family shown for an OTA UI board the history does not know.</summary>
    public BoardFamily OtaUiFamily { get; init; } = BoardFamilies.Find("amebapro2")!;
}
