using System.Net;
using AmebaOta.Cli.Serve;
using AmebaOta.Cli.Serve.OtaUi;
using AmebaOta.Families;
using AmebaOta.Fleet;
using AmebaOta.Fleet.History;
using AmebaOta.Protocol.OtaUi;
using AmebaOta.Protocol.OtaUi.Server;
using AmebaOta.Protocol.OtaUi.Updates;

namespace AmebaOta.Cli.Commands.OtaUi;

/// <summary>
/// The OTA UI server a command runs for its own run (<c>upload</c>, <c>fleet upload</c>, <c>fleet rollout</c>): it
/// listens where the boards' sketch beats to, serves nothing until a board is triggered (then that board, and only it,
/// gets its family's image), and finds the boards by their heartbeats. What the family says before a board is triggered
/// (<see cref="BoardFamily.CheckOtaUi"/>: AmebaPro2 refuses a build it would write and never boot) is checked per board,
/// against the image the history believes it runs.
/// </summary>
public sealed class OtaUiSession : IAsyncDisposable
{
    private readonly Dictionary<IPAddress, string> _bootsBecause = [];

    private OtaUiSession(OtaUiServer core, OtaUiHttpServer http)
    {
        Core = core;
        Http = http;
    }

    /// <summary>The protocol's server.</summary>
    public OtaUiServer Core { get; }

    /// <summary>Its Kestrel host.</summary>
    public OtaUiHttpServer Http { get; }

    /// <summary>Listens on <paramref name="listen"/>; a port already taken (a <c>serve --ota-ui</c> or a dashboard running) is one clear line.</summary>
    public static async Task<OtaUiSession> StartAsync(IPEndPoint listen, CancellationToken cancellationToken)
    {
        var core = new OtaUiServer(new OtaUiImageSource(null));
        try
        {
            var http = await OtaUiHttpServer.StartAsync(core, new OtaUiHttpOptions(listen.Address, listen.Port, ControlEndpoint.NewToken()), cancellationToken);
            return new OtaUiSession(core, http);
        }
        catch (IOException e)
        {
            await core.DisposeAsync();
            throw new CliError(ExitCodes.IoError, $"cannot listen on {listen} for the boards' heartbeats ({e.GetBaseException().Message}): is a " +
                "'serve --ota-ui' or a dashboard already the boards' server there? Stop it for this run, or start the update from the dashboard");
        }
    }

    /// <summary>Loads the images (at most one per family), refusing one no OTA UI board takes (exit 2) unless <paramref name="force"/>.</summary>
    public static List<(string Name, OtaUiImage Image)> LoadImages(IReadOnlyList<FileInfo> files, bool force, out List<string> warnings)
    {
        warnings = [];
        var images = new List<(string Name, OtaUiImage Image)>();
        foreach (var file in files)
        {
            var image = OtaUiImage.Load(file.FullName, force);
            if (images.FirstOrDefault(i => i.Image.Family == image.Family) is { Name: { } twice })
                throw new CliError(ExitCodes.Usage, $"two {image.Family.DisplayName} images given ({twice} and {file.Name}): give at most one image per family");
            var check = image.Family.CheckOtaUi(image.Image, null);
            if (check.Refused && !force)
                throw new CliError(ExitCodes.BadInput, $"refusing to serve {file.Name}: {string.Join("; ", check.Refusals)} (--force serves it anyway)");
            warnings.AddRange(image.Warnings);
            warnings.AddRange(check.Refusals.Select(r => $"{file.Name} served despite: {r}"));
            images.Add((file.Name, image));
        }
        return images;
    }

    /// <summary>
    /// The boards to update: the <paramref name="addresses"/> given, or every board that beats here within
    /// <paramref name="discover"/> whose address (or history name) matches <paramref name="pattern"/>. Each has its family
    /// (the history's, else the run's only image's); a board the run has no image for, or whose family refuses the image
    /// for what it runs (unless <paramref name="force"/>), is refused before anything is sent.
    /// </summary>
    public async Task<FleetTargets> FindTargetsAsync(IReadOnlyList<IPAddress> addresses, string? pattern, TimeSpan discover, BestEffortHistory history,
        FleetImages images, bool force, Action<string> warn, CancellationToken cancellationToken)
    {
        List<IPAddress> chosen;
        if (addresses.Count > 0 && pattern is null)
        {
            chosen = [.. addresses.Select(OtaUiBoards.Normalize).Distinct()];
        }
        else
        {
            await Task.Delay(discover, cancellationToken);
            var beating = Core.Boards.All().Where(b => b.Online).Select(b => b.Address).ToList();
            if (beating.Count == 0)
                throw new CliError(ExitCodes.NotFound, $"no board beat to {Http.EndPoint} within {discover.TotalSeconds:0.###} s (a board beats every 3.5 s to the " +
                    "server its sketch names: give --listen with that address, or wait longer with --discover-timeout)");
            chosen = [.. beating.Where(a => pattern is null || NameGlob.Matches(pattern, a.ToString())
                || history.Try(s => s.BoardSeenAt(a), null) is { } seen && NameGlob.Matches(pattern, seen.Name))];
            if (chosen.Count == 0)
                throw new CliError(ExitCodes.NotFound, $"none of the {beating.Count} boards that beat here matches '{pattern}' ({string.Join(", ", beating.Take(5))}{(beating.Count > 5 ? ", ..." : "")})");
        }
        var targets = new List<FleetTarget>();
        var refused = new List<(FleetTarget, string)>();
        foreach (var address in chosen)
        {
            var endPoint = new IPEndPoint(address, OtaUiTrigger.Port);
            var family = history.Try(s => s.BoardSeenAt(address), null) is { } seen ? BoardFamilies.Find(seen.Family) : null;
            if (family is null && images.OtaUi.Count == 1) family = images.OtaUi[0].Family;
            var target = new FleetTarget(endPoint.ToString(), endPoint, Family: family);
            if (images.Refusal(target) is { } noImage)
            {
                refused.Add((target, noImage));
                continue;
            }
            var image = images.OtaUiFor(target.Family)!;
            var check = image.Family.CheckOtaUi(image.Image, RunningImage(history, target));
            foreach (var w in check.Warnings) warn($"{target.Name}: {w}");
            if (check.Refused && !force)
            {
                refused.Add((target, $"{target.Name}: {string.Join("; ", check.Refusals)} (--force triggers it anyway)"));
                continue;
            }
            foreach (var r in check.Refusals) warn($"{target.Name} triggered despite: {r}");
            if (check.BootsBecause is { } because) _bootsBecause[address] = because;
            targets.Add(target);
        }
        return new FleetTargets(targets, 0, pattern, [], []) { Refused = refused };
    }

    /// <summary>The image the history believes <paramref name="target"/> runs, when it kept its bytes.</summary>
    private static IFirmwareImage? RunningImage(BestEffortHistory history, FleetTarget target) => RunningImage(history, target.Name);

    private static IFirmwareImage? RunningImage(BestEffortHistory history, string board) =>
        history.Try(s => s.Board(board) is { Believed: { } believed } && s.ImageBytes(believed.Image.Sha256) is { } bytes ? Parse(bytes) : null, null);

    /// <summary>The name OTA UI runs list and record a board by: its trigger end point (<c>10.0.0.5:5000</c>).</summary>
    public static string BoardName(IPAddress address) => new IPEndPoint(OtaUiBoards.Normalize(address), OtaUiTrigger.Port).ToString();

    /// <summary>
    /// Why the board at <paramref name="address"/> must not download <paramref name="image"/>, when the history knows what
    /// it runs and its family refuses the image for that (an AmebaPro2 build not newer: written, never booted); else null.
    /// </summary>
    public static string? DownloadRefusal(BestEffortHistory history, IPAddress address, OtaUiImage image)
    {
        if (RunningImage(history, BoardName(address)) is not { } running || running.Family != image.Family) return null;
        var check = image.Family.CheckOtaUi(image.Image, running);
        return check.Refused ? string.Join("; ", check.Refusals) : null;
    }

    private static IFirmwareImage? Parse(byte[] bytes)
    {
        try { return BoardFamilies.ParseImage(bytes); }
        catch (Images.ImageFormatException) { return null; }
    }

    /// <summary>Keeps the images' bytes in the history, so that a later run knows the build each board it updates runs.</summary>
    public static void RememberImages(BestEffortHistory history, IEnumerable<(string Name, OtaUiImage Image)> images)
    {
        foreach (var (name, image) in images) history.Try(s => s.StoreImage(ImageIdentity.Of(image.Image, name), image.Bytes));
    }

    /// <summary>
    /// A sender over this server for a fleet run; <paramref name="abort"/> as <see cref="OtaUiFleetSender.Abort"/>;
    /// <paramref name="airtime"/>: a scheduler shared with other runs (null: its own, from <paramref name="options"/>).
    /// </summary>
    public OtaUiFleetSender Sender(FleetOptions options, CancellationToken? abort = null, AmebaOta.Fleet.Airtime.AirtimeScheduler? airtime = null) =>
        new(Core, options, airtime: airtime) { Abort = abort };

    /// <summary>
    /// What was proved about an updated board, one line: the wire shows the restart; the build is the family's boot rule
    /// applied to what the history says it ran (or unknown).
    /// </summary>
    public string BuildLine(FleetTarget target, OtaUiImage image) =>
        _bootsBecause.TryGetValue(target.EndPoint.Address, out var because)
            ? $"{target.Name} runs {image.Name}: inferred, not seen (a heartbeat carries no build): {because}"
            : $"{target.Name} restarted after taking {image.Name}; which build it boots is not proven (the history does not know what it ran before)";

    public async ValueTask DisposeAsync()
    {
        await Http.DisposeAsync();
        await Core.DisposeAsync();
    }
}
