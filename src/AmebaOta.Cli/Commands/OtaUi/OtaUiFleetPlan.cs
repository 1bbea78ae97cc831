using System.CommandLine;
using System.Net;
using AmebaOta.Cli.Output;
using AmebaOta.Families;
using AmebaOta.Fleet;
using AmebaOta.Fleet.Airtime;
using AmebaOta.Fleet.History;
using AmebaOta.Protocol.OtaUi.Server;
using AmebaOta.Protocol.OtaUi.Updates;

namespace AmebaOta.Cli.Commands.OtaUi;

/// <summary>
/// A fleet command's run by the OTA UI method, ready to go: its images (served, one per family), the server it runs for
/// the boards (<see cref="Session"/>, disposed with the plan), the boards found by their heartbeats and checked against
/// what they run, and the sender. <c>fleet upload</c> and <c>fleet rollout</c> use it where a push run uses mDNS and the
/// family's push sender.
/// </summary>
public sealed class OtaUiFleetPlan : IAsyncDisposable
{
    private OtaUiFleetPlan(OtaUiSession session, List<(string Name, OtaUiImage Image)> named, FleetImages images, FleetOptions options)
    {
        Session = session;
        Named = named;
        Images = images;
        Options = options;
    }

    public OtaUiSession Session { get; }
    public List<(string Name, OtaUiImage Image)> Named { get; }
    public FleetImages Images { get; }
    public FleetOptions Options { get; }

    /// <summary>How each image is known to the history.</summary>
    public IReadOnlyList<ImageIdentity> Identities => [.. Named.Select(n => ImageIdentity.Of(n.Image.Image, n.Name))];

    /// <summary>True when <paramref name="files"/> go by the OTA UI method (see <see cref="OtaUiOptions.Chosen"/>).</summary>
    public static bool Applies(ParseResult parse, FleetUploadOptions o, IEnumerable<FileInfo> files) =>
        o.OtaUi.Chosen(parse, files.Select(f => BoardFamilies.LoadImage(f.FullName)));

    /// <summary>Loads and checks the images, reads the options, and starts the boards' server.</summary>
    public static async Task<OtaUiFleetPlan> StartAsync(ParseResult parse, FleetUploadOptions o, IReadOnlyList<FileInfo> files, List<string> warnings,
        BestEffortHistory history, CancellationToken cancellationToken)
    {
        var named = OtaUiSession.LoadImages(files, parse.GetValue(o.Force), out var imageWarnings);
        warnings.AddRange(imageWarnings);
        return await StartAsync(parse, o, named, history, warnings, cancellationToken);
    }

    /// <summary>Reads the options and starts the boards' server for images already loaded and checked.</summary>
    public static Task<OtaUiFleetPlan> StartAsync(ParseResult parse, FleetUploadOptions o, List<(string Name, OtaUiImage Image)> named, BestEffortHistory history,
        List<string> warnings, CancellationToken cancellationToken)
    {
        if (parse.GetResult(o.Port) is { Implicit: false }) throw new CliError(ExitCodes.Usage, $"--port is not used with the OTA UI method: boards take the trigger on port {Protocol.OtaUi.OtaUiTrigger.Port}; the server's port is --listen's");
        var options = new FleetOptions
        {
            MaxParallel = parse.GetValue(o.Parallel) is { } parallel ? FleetUploadOptions.InRange(parallel, 1, AirtimeBudget.Ceiling, "--parallel") : null,
            MaxBytesPerSecond = FleetUploadOptions.MaxBytesPerSecond(parse, o.MaxRate),
            WaitReboot = WaitRebootOption.Read(parse, o.WaitReboot, () => new OtaUiJudgeSettings().RebootWait),
            Retries = 0,
            Interface = parse.GetValue(o.Interface),
        };
        return StartAsync(named, o.OtaUi.ListenEndPoint(parse, named.Select(n => n.Image)), options, history, warnings, cancellationToken);
    }

    /// <summary>Starts the boards' server on <paramref name="listen"/> for images already loaded and checked.</summary>
    public static async Task<OtaUiFleetPlan> StartAsync(List<(string Name, OtaUiImage Image)> named, IPEndPoint listen, FleetOptions options, BestEffortHistory history,
        List<string> warnings, CancellationToken cancellationToken)
    {
        if (IPAddress.IsLoopback(listen.Address))
            warnings.Add($"the boards' server listens on {listen} (loopback): real boards cannot reach it; give --listen with this machine's address and the port their sketch names");
        OtaUiSession.RememberImages(history, named);
        var session = await OtaUiSession.StartAsync(listen, cancellationToken);
        return new OtaUiFleetPlan(session, named, FleetImages.Served(named.Select(n => n.Image)), options);
    }

    /// <summary>The boards: <c>--ip</c> addresses, or those that beat here within <c>--discover-timeout</c> (4 s at least: one heartbeat) matching <c>--match</c>.</summary>
    public Task<FleetTargets> FindTargetsAsync(ParseResult parse, FleetUploadOptions o, BestEffortHistory history, CancellationToken cancellationToken)
    {
        var addresses = (parse.GetValue(o.Ips) ?? []).Select(a => AddressParsing.Parse(a, "--ip", allowNames: false)).ToList();
        double seconds = FleetUploadOptions.Positive(parse.GetValue(o.DiscoverTimeout), 3600, "--discover-timeout");
        if (parse.GetResult(o.DiscoverTimeout) is not { Implicit: false }) seconds = Math.Max(seconds, 4);
        return FindTargetsAsync(addresses, parse.GetValue(o.Match), TimeSpan.FromSeconds(seconds), history, parse.GetValue(o.Force), cancellationToken);
    }

    /// <summary>The boards at <paramref name="addresses"/>, or those that beat here within <paramref name="discover"/> matching <paramref name="pattern"/>.</summary>
    public Task<FleetTargets> FindTargetsAsync(IReadOnlyList<IPAddress> addresses, string? pattern, TimeSpan discover, BestEffortHistory history, bool force,
        CancellationToken cancellationToken) =>
        Session.FindTargetsAsync(addresses, pattern, discover, history, Images, force, w => Diagnostics.Warning(Printable.Of(w)), cancellationToken);

    /// <summary>
    /// The sender (its own airtime scheduler, or <paramref name="airtime"/>: a rollout's); in text mode each board's decision is
    /// told as it comes (why it failed, what the restart proves).
    /// </summary>
    public OtaUiFleetSender Sender(FleetOptions options, bool quiet, CancellationToken? abort = null, AirtimeScheduler? airtime = null)
    {
        var sender = Session.Sender(options, abort, airtime);
        if (!quiet) sender.BoardJudged += (target, outcome) => Console.WriteLine(Printable.Of(Describe(target, outcome)));
        return sender;
    }

    private string Describe(FleetTarget target, OtaUiOutcome outcome)
    {
        if (outcome.Result == OtaUiResult.Updated && Images.OtaUiFor(target.Family) is { } image)
            return $"  {Session.BuildLine(target, image)}";
        return $"  {target.Name} {outcome.Word}: {(Images.OtaUiFor(target.Family) is { } served ? OtaUiFleetSender.Explain(outcome, served) : outcome.Reason)}" +
               $"\n    seen: {string.Join("; ", outcome.Evidence)}";
    }

    public ValueTask DisposeAsync() => Session.DisposeAsync();
}
