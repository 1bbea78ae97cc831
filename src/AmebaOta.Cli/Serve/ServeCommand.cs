using System.CommandLine;
using System.Net;
using AmebaOta.Cli.History;
using AmebaOta.Cli.Serve.OtaUi;
using AmebaOta.Families.Ameba1.Pull;
using AmebaOta.Protocol.OtaUi.Server;
using AmebaOta.Protocol.Serving;

namespace AmebaOta.Cli.Serve;

/// <summary><c>ameba-ota serve</c>: be the server the three pull clients download from.</summary>
public static class ServeCommand
{
    public const int DefaultHttpPort = 8080;
    public const int DefaultTcpPort = 8082;

    public static Command Build()
    {
        var file = new Argument<FileInfo>("image") { Description = "The image to serve (ota.bin format), checked as upload checks it" };
        var ip = new Option<string>("--ip") { Description = "Address to listen on (default loopback; 0.0.0.0 for every interface, with a warning)", DefaultValueFactory = _ => "127.0.0.1" };
        var httpPort = new Option<int>("--http-port") { Description = "HTTP port: CloudOTA's /check.txt and /ota.bin, http_update_ota's image + trailer on every other path (0: any free port)", DefaultValueFactory = _ => DefaultHttpPort };
        var tcpPort = new Option<int>("--tcp-port") { Description = "TCP port of the update_ota_local download server (0: any free port; -1: none)", DefaultValueFactory = _ => DefaultTcpPort };
        var jsonLog = new Option<bool>("--json-log") { Description = "One JSON object per line for every request and event, instead of text" };
        var fault = new Option<string?>("--fault") { Description = "Make a server mistake on purpose, to see what it does to a board: 404, lowercase-length, no-reason, slow, close-early, stall; with --ota-ui: stock (the stock server's bytes: lower-case content-length, a 200 for no image), 404, close-early, stall, slow" };
        var slowRate = new Option<double>("--slow-rate") { Description = "Bytes per second of the body with --fault slow", DefaultValueFactory = _ => PullResponses.DefaultSlowBytesPerSecond };
        var noWatch = new Option<bool>("--no-watch") { Description = "Do not watch the file for changes (SIGHUP and the control endpoint still reload it)" };
        var force = new Option<bool>("--force") { Description = "Serve an image the checks refuse (can brick a stock board)" };
        var maxConnections = new Option<int>("--max-connections")
        {
            Description = "Connections held at once, both ports together; one more is refused with a reset and a log line",
            DefaultValueFactory = _ => ServeOptions.DefaultMaxConnections,
        };
        var settle = new Option<double>("--settle")
        {
            Description = "Seconds a changed image file must stay unchanged before it is served (the previous image is served meanwhile)",
            DefaultValueFactory = _ => ServeOptions.DefaultSettle.TotalSeconds,
        };
        var otaUi = new Option<bool>("--ota-ui") { Description = "Be the \"OTA UI\" server instead (AmebaD OTA_Http, AmebaPro2 OTA): heartbeats and /api/uploadfile on --port" };
        var port = new Option<int>("--port") { Description = "With --ota-ui: the port the boards' sketch names (0: any free port)", DefaultValueFactory = _ => OtaUiServeOptions.DefaultPort };
        var goneAfter = new Option<double>("--gone-after")
        {
            Description = "With --ota-ui: seconds without a heartbeat before a board is shown as gone (it is kept, never forgotten)",
            DefaultValueFactory = _ => OtaUiBoards.DefaultGoneAfter.TotalSeconds,
        };
        var db = HistoryDatabase.Option(readOnly: true);
        db.Description = "With --ota-ui: the history read for the build each board runs, so a board is refused an image it would not boot " +
                         $"(not written; default ${HistoryDatabase.EnvironmentVariable}, else the user's history.db if it exists)";
        var command = new Command("serve",
            "Serve an image to boards that pull their update: CloudOTA (ota_cloud) and http_update_ota over HTTP, update_ota_local over raw TCP, all at once.\n" +
            "With --ota-ui: Realtek's \"OTA UI\" server for AmebaD OTA_Http and AmebaPro2 OTA boards (heartbeats on POST /api/connectedclients, the image on\n" +
            "GET /api/uploadfile, the board list on GET /api/connectedclients); a board updates when triggered (start_ota on TCP 5000: Realtek's page,\n  or a script). To trigger and judge boards, run upload or fleet upload instead: they are the boards' server for their run.\n" +
            "Each request is logged (board, protocol, bytes, time, whether it stayed to the end). A changed file, SIGHUP, or a POST to the control\n" +
            "endpoint (with the token printed at start) swaps in a new image, only once it is whole and passes the checks. Ctrl+C stops.\n" +
            "Example: ameba-ota serve v2.bin --http-port 8080 --tcp-port 8082\n" +
            "Example: ameba-ota serve --ota-ui ota.bin --ip 192.168.1.10 --port 3000")
        { file, ip, httpPort, tcpPort, jsonLog, fault, slowRate, noWatch, force, maxConnections, settle, otaUi, port, goneAfter, db };

        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            if (!IPAddress.TryParse(parse.GetValue(ip)!, out var address))
                throw new CliError(ExitCodes.Usage, $"--ip '{parse.GetValue(ip)}' is not an IP address");
            if (parse.GetValue(otaUi)) return await OtaUiServeCommand.RunAsync(ReadOtaUi(parse, address), cancellationToken);
            foreach (var option in new Option[] { port, goneAfter, db })
                if (parse.GetResult(option) is { Implicit: false }) throw new CliError(ExitCodes.Usage, $"{option.Name} is for --ota-ui");
            int http = parse.GetValue(httpPort), tcp = parse.GetValue(tcpPort);
            if (http is < 0 or > 65535) throw new CliError(ExitCodes.Usage, $"--http-port {http} is not a port (0 to 65535)");
            if (tcp is < -1 or > 65535) throw new CliError(ExitCodes.Usage, $"--tcp-port {tcp} is not a port (0 to 65535, or -1 for none)");
            if (http != 0 && http == tcp) throw new CliError(ExitCodes.Usage, $"--http-port and --tcp-port are both {http}");
            var pullFault = PullFault.None;
            if (parse.GetValue(fault) is { } faultText && !PullFaults.TryParse(faultText, out pullFault))
                throw new CliError(ExitCodes.Usage, $"unknown --fault '{faultText}': use {string.Join(", ", PullFaults.All.Select(PullFaults.Id))}");
            double rate = parse.GetValue(slowRate);
            if (!(rate >= 1) || rate > 1e9) throw new CliError(ExitCodes.Usage, $"--slow-rate {rate} is not a number of bytes per second (1 or more)");

            var path = parse.GetValue(file)!.FullName;
            int cap = OptionChecks.InRange(parse.GetValue(maxConnections), 1, 1_000_000, "--max-connections");
            double settleSeconds = OptionChecks.Seconds(parse.GetValue(settle), 3600, "--settle");
            var options = new ServeOptions(path, address, http, tcp < 0 ? null : tcp, pullFault, rate, parse.GetValue(jsonLog), !parse.GetValue(noWatch), parse.GetValue(force))
            {
                MaxConnections = cap,
                Settle = TimeSpan.FromSeconds(settleSeconds),
            };
            return await RunAsync(options, cancellationToken);
        }));
        return command;

        OtaUiServeOptions ReadOtaUi(ParseResult parse, IPAddress address)
        {
            foreach (var option in new Option[] { httpPort, tcpPort })
                if (parse.GetResult(option) is { Implicit: false }) throw new CliError(ExitCodes.Usage, $"{option.Name} is not used with --ota-ui: give --port");
            int p = OptionChecks.InRange(parse.GetValue(port), 0, 65535, "--port");
            var uiFault = OtaUiFault.None;
            if (parse.GetValue(fault) is { } faultText && !OtaUiFaults.TryParse(faultText, out uiFault))
                throw new CliError(ExitCodes.Usage, $"unknown --fault '{faultText}' for --ota-ui: use {string.Join(", ", OtaUiFaults.All.Select(OtaUiFaults.Id))}");
            double rate = parse.GetValue(slowRate);
            if (!(rate >= 1) || rate > 1e9) throw new CliError(ExitCodes.Usage, $"--slow-rate {rate} is not a number of bytes per second (1 or more)");
            return new OtaUiServeOptions(parse.GetValue(file)!.FullName, address, p, uiFault, rate, parse.GetValue(jsonLog), !parse.GetValue(noWatch), parse.GetValue(force))
            {
                MaxConnections = OptionChecks.InRange(parse.GetValue(maxConnections), 1, 1_000_000, "--max-connections"),
                Settle = TimeSpan.FromSeconds(OptionChecks.Seconds(parse.GetValue(settle), 3600, "--settle")),
                GoneAfter = TimeSpan.FromSeconds(OptionChecks.Seconds(parse.GetValue(goneAfter), 3600, "--gone-after")),
                Database = HistoryDatabase.Resolve(parse.GetValue(db)),
            };
        }
    }

    private static async Task<int> RunAsync(ServeOptions options, CancellationToken cancellationToken)
    {
        var image = PullImage.Load(options.ImagePath, options.Force);
        var images = new PullImageSource(image, options.Force);
        var activity = new PullActivity();
        await using var console = new ServeConsole(options.JsonLog, options.Fault == PullFault.None ? null : PullFaults.Id(options.Fault), activity);
        foreach (var w in image.Warnings) console.Warning(w);
        // One descriptor per connection, plus the listeners, the watcher and the runtime's own.
        if (Native.FileDescriptorLimit.Ensure(options.MaxConnections + ServeOptions.SpareDescriptors, $"--max-connections {options.MaxConnections}") is { } limit)
            console.Warning(limit);
        if (!IPAddress.IsLoopback(options.Address))
            console.Warning($"listening on {options.Address}, not loopback: every host that reaches it can download the image (the control endpoint still needs the token)");
        if (options.Fault != PullFault.None)
            console.Warning($"--fault {PullFaults.Id(options.Fault)}: this server makes that mistake on purpose; never point real boards you care about at it");

        string token = ControlEndpoint.NewToken();
        var control = new ControlEndpoint(images, options.ImagePath, token, console, options.Settle);
        await using var server = await PullServer.StartAsync(options, images, activity, control, cancellationToken, console.Warning);
        using var watcher = new ImageWatcher(images, options.ImagePath, console, options.Watch, options.Settle);

        string http = $"{server.HttpEndPoint.Address}:{server.HttpEndPoint.Port}";
        string? tcp = server.TcpEndPoint is { } t ? $"{t.Address}:{t.Port}" : null;
        string controlUrl = $"http://{http}{ServeOptions.ControlPrefix}";
        if (options.JsonLog)
        {
            console.Event("listening", $"serving {PullImageSource.Describe(image)}", image,
                new ServeEventJson("listening", DateTimeOffset.UtcNow, $"serving {PullImageSource.Describe(image)}", image.Name, image.Checksum, image.File.Length, http, tcp, token));
        }
        else
        {
            console.Event("listening", $"serving {PullImageSource.Describe(image)}");
            console.Event("listening", $"http: {http}  ota_cloud: /check.txt, /ota.bin · http_update_ota: any other path (image + 4-byte checksum trailer)");
            if (tcp is not null) console.Event("listening", $"tcp:  {tcp}  update_ota_local download server (12-byte header, image, trailer)");
            console.Event("listening", $"control: POST {controlUrl}image (body: a new image) or {controlUrl}reload, with header \"Authorization: Bearer {token}\"");
            console.Event("listening", $"{(options.Watch ? $"watching {Path.GetFileName(options.ImagePath)} for changes; " : "")}SIGHUP reloads it; Ctrl+C stops");
        }
        await server.RunUntilAsync(cancellationToken);
        return ExitCodes.Ok;
    }
}
