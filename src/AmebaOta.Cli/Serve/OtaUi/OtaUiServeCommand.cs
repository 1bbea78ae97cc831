using System.Net;
using AmebaOta.Cli.Commands.OtaUi;
using AmebaOta.Cli.History;
using AmebaOta.Cli.Output;
using AmebaOta.Fleet.History;
using AmebaOta.Protocol.OtaUi.Server;

namespace AmebaOta.Cli.Serve.OtaUi;

/// <summary>What <c>ameba-ota serve --ota-ui</c> was asked to do.</summary>
public sealed record OtaUiServeOptions(string ImagePath, IPAddress Address, int Port, OtaUiFault Fault, double SlowBytesPerSecond, bool JsonLog, bool Watch,
    bool Force)
{
    /// <summary>The history read for what each board runs (null: none); never written.</summary>
    public string? Database { get; init; }

    /// <summary>The port the stock sketches name (and the stock server listens on).</summary>
    public const int DefaultPort = 3000;

    /// <summary>Connections held at once; one more is refused with a reset and a log line.</summary>
    public int MaxConnections { get; init; } = ServeOptions.DefaultMaxConnections;

    /// <summary>How long a changed image file must stay unchanged before it is served.</summary>
    public TimeSpan Settle { get; init; } = ServeOptions.DefaultSettle;

    /// <summary>How long a board may stay quiet before it is shown as gone.</summary>
    public TimeSpan GoneAfter { get; init; } = OtaUiBoards.DefaultGoneAfter;
}

/// <summary>
/// <c>ameba-ota serve --ota-ui</c>: the server AmebaD <c>OTA_Http</c> and AmebaPro2 <c>OTA</c> boards beat to and download
/// from, in place of Realtek's stock Next.js app: the same endpoints, with boards kept (shown as gone, never forgotten), a
/// 404 instead of a 200 when there is nothing to serve, a token for changes, and every download logged with what the board
/// acknowledged. The image must pass its family's checks before anything is served (and every new image too), and a
/// board the history knows is refused an image its family would not boot (a 409, logged), unless <c>--force</c>.
/// </summary>
public static class OtaUiServeCommand
{
    public static async Task<int> RunAsync(OtaUiServeOptions options, CancellationToken cancellationToken)
    {
        var image = OtaUiImage.Load(options.ImagePath, options.Force, preflight: true);
        var images = new OtaUiImageSource(image, options.Force, preflight: true);
        using var history = OpenHistory(options.Database);
        await using var core = new OtaUiServer(images, new OtaUiServerOptions(options.Fault, options.SlowBytesPerSecond)
        {
            GoneAfter = options.GoneAfter,
            DownloadCheck = options.Force ? null : (address, served) => OtaUiSession.DownloadRefusal(history, address, served),
        });
        string? faultId = options.Fault == OtaUiFault.None ? null : OtaUiFaults.Id(options.Fault);
        await using var console = new ServeConsole(options.JsonLog, faultId, core.Activity);
        foreach (var w in image.Warnings) console.Warning(w);
        core.DownloadRefused += (address, reason) => console.Warning(RefusedLine(address, reason));
        if (!IPAddress.IsLoopback(options.Address))
            console.Warning($"listening on {options.Address}, not loopback: every host that reaches it can download the image and post heartbeats (changes still need the token)");
        else
            console.Warning($"listening on loopback ({options.Address}) only: real boards cannot reach it; give --ip with this machine's address on the boards' network (the address their sketch names)");
        if (faultId is not null)
            console.Warning($"--fault {faultId}: this server makes that mistake on purpose; never point real boards you care about at it");
        core.Boards.Changed += board => console.Event(BoardLine(board, core.Boards.GoneAfter),
            new ServeBoardJson("board", DateTimeOffset.UtcNow, BoardLine(board, core.Boards.GoneAfter), board.Address.ToString(), board.StateText, board.Online,
                board.LastBeat, board.Beats), ServeJsonContext.Default.ServeBoardJson);

        string token = ControlEndpoint.NewToken();
        var control = new ControlEndpoint(images, options.ImagePath, token, console, options.Settle);
        var http = new OtaUiHttpOptions(options.Address, options.Port, token) { MaxConnections = options.MaxConnections, Control = control, Warn = console.Warning };
        await using var server = await OtaUiHttpServer.StartAsync(core, http, cancellationToken);
        using var watcher = new ImageWatcher(images, options.ImagePath, console, options.Watch, options.Settle);

        string where = $"{server.EndPoint.Address}:{server.EndPoint.Port}";
        string controlUrl = $"http://{where}{ServeOptions.ControlPrefix}";
        if (options.JsonLog)
        {
            console.Event("listening", $"serving {image.Description}", image,
                new ServeEventJson("listening", DateTimeOffset.UtcNow, $"serving {image.Description}", image.Name, image.Checksum, image.Length, where, null, token));
        }
        else
        {
            console.Event("listening", $"serving {image.Description}");
            console.Event("listening", $"ota ui: {where}  heartbeats: POST {OtaUiResponses.HeartbeatPath} · image: GET {OtaUiResponses.DownloadPath} · board list: GET {OtaUiResponses.HeartbeatPath}");
            console.Event("listening", $"changes: POST {OtaUiResponses.DownloadPath} (multipart field '{OtaUiEndpoints.UploadField}'), DELETE {OtaUiResponses.DownloadPath}, " +
                $"POST {controlUrl}image or {controlUrl}reload, each with header \"Authorization: Bearer {token}\"");
            console.Event("listening", $"{(options.Watch ? $"watching {Path.GetFileName(options.ImagePath)} for changes; " : "")}SIGHUP reloads it; " +
                "a board updates when it is sent start_ota (ameba-ota upload, fleet upload, the dashboard); Ctrl+C stops");
        }
        await server.RunUntilAsync(cancellationToken);
        return ExitCodes.Ok;
    }

    /// <summary>What is logged when a board the history knows is refused the image it asked for.</summary>
    public static string RefusedLine(IPAddress address, string reason) =>
        $"{address}: download refused (answered {OtaUiResponses.RefusedStatus}): {reason}; the board reports COMPLETED and ignores triggers until it is " +
        "reset (--force serves it anyway)";

    /// <summary>The history, read only: a SQLite file that does not exist yet is not created.</summary>
    private static BestEffortHistory OpenHistory(string? database)
    {
        if (database is null) return BestEffortHistory.Disabled();
        var location = HistoryDatabase.Location(database);
        if (location.Engine == DatabaseEngine.Sqlite && !File.Exists(location.Target)) return BestEffortHistory.Disabled();
        return BestEffortHistory.Open(database, message => Console.Error.WriteLine($"warning: {message}"));
    }

    /// <summary>"10.0.0.5: OTA_STATE_IDLE" (first heartbeat, or a new state), "10.0.0.5: gone, no heartbeat for 9 s (last: …)".</summary>
    public static string BoardLine(OtaUiBoard board, TimeSpan goneAfter)
    {
        string state = Printable.Of(board.StateText);
        if (!board.Online) return $"{board.Address}: gone, no heartbeat for {goneAfter.TotalSeconds:0.#} s (last state {state})";
        return board.Beats == 1 ? $"{board.Address}: first heartbeat, {state}" : $"{board.Address}: {state}";
    }
}
