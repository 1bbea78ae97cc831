using System.CommandLine;
using AmebaOta.Cli.Commands.OtaUi;
using AmebaOta.Cli.History;
using AmebaOta.Cli.Output;
using AmebaOta.Families;
using AmebaOta.Fleet;
using AmebaOta.Fleet.History;
using AmebaOta.Fleet.Rollouts;
using AmebaOta.Images;

namespace AmebaOta.Cli.Commands;

/// <summary><c>ameba-ota fleet rollout</c>: one image to many boards in stages, stopped at the first sign of trouble, resumable.</summary>
public static class FleetRolloutCommand
{
    public static Command Build()
    {
        var file = new Argument<FileInfo[]>("file")
        {
            Description = "Image to roll out (Ameba1 ota.bin; AmebaD OTA_All.bin or km0_km4_image2.bin), one per family for a mixed fleet; not with --resume or --stop",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var o = new FleetUploadOptions();
        var stages = new Option<string>("--stages") { Description = "Cumulative stage sizes, canary first: counts or percentages of the boards", DefaultValueFactory = _ => "1,10%,50%,100%" };
        var maxFailures = new Option<string>("--max-failures") { Description = "Failures allowed over the whole rollout (N, or P% of its boards); one more is an emergency stop", DefaultValueFactory = _ => "0" };
        var pause = new Option<double>("--pause-between") { Description = "Seconds to wait between two stages", DefaultValueFactory = _ => 0 };
        var skipCurrent = new Option<bool>("--skip-current") { Description = "Do not resend to a board whose last update in the history is this image, verified back after its reboot (already-installed)" };
        var allowDowngrade = new Option<bool>("--allow-downgrade") { Description = "Send even to boards believed to run a newer sketch version" };
        var resume = new Option<long?>("--resume") { Description = "Continue rollout ID (after Ctrl+C, a crash, --stop or an emergency stop) with the boards not yet done", HelpName = "ID" };
        var stop = new Option<long?>("--stop") { Description = "Ask the process running rollout ID to stop (it stays resumable)", HelpName = "ID" };
        var site = new Option<string[]>("--site") { Description = "With a PostgreSQL --db: only the boards of this site (repeatable); the sites' agents send. Default with agents up: every site", HelpName = "NAME" };
        var command = new Command("rollout",
            "Roll an image out in stages (canary first): a stage starts only when the one before succeeded; more failures than --max-failures\n" +
            "is an emergency stop (nothing more is sent). The rollout's state is in the history database: --resume ID continues it, never\n" +
            "resending to a board already done. Takes every option of 'fleet upload'. Per-board states: pending, uploading, rebooting,\n" +
            "success, failure, already-installed, aborted. Exit codes: 0 every board updated, 8 some were not (or the rollout stopped),\n" +
            "6 no board matched, 2 image refused (or a downgrade), 130 interrupted (resumable). A mixed fleet takes one image per family;\n" +
            "each board is sent only the image of its own family, and a board whose family has no image is refused before anything is sent.\n" +
            "Example: ameba-ota fleet rollout v3.bin --match 'MyAmeba-*' --stages 1,10%,50%,100% --max-failures 2 --wait-reboot --skip-current\n" +
            "Example: ameba-ota fleet rollout ota.bin OTA_All.bin --match '*' --wait-reboot    (Ameba1 and AmebaD boards, each its own image)\n" +
            "Example: ameba-ota fleet rollout --resume 7    (or: ameba-ota fleet rollout --stop 7)")
        { file, stages, maxFailures, pause, skipCurrent, allowDowngrade, resume, stop, site };
        o.AddTo(command);

        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            if (parse.GetValue(stop) is { } stopId)
            {
                Refuse(parse, "--stop", file, [.. o.All.Where(x => x != o.Db), stages, maxFailures, pause, skipCurrent, allowDowngrade, resume, site]);
                return StopRollout(parse, o.Db, stopId);
            }
            bool asJson = parse.GetValue(o.Json);
            using var history = HistoryDatabase.OpenForRecording(parse, o.Db);
            Run run;
            if (parse.GetValue(resume) is { } resumeId)
            {
                Refuse(parse, "--resume", file, [.. o.All.Where(x => x != o.Db && x != o.Json && !o.OtaUi.All.Contains(x)), stages, maxFailures, pause, skipCurrent, allowDowngrade, site]);
                run = await ResumeAsync(history, resumeId, parse, o, cancellationToken);
            }
            else
            {
                var paths = parse.GetValue(file) is { Length: > 0 } given ? given
                    : throw new CliError(ExitCodes.Usage, "no image given: ameba-ota fleet rollout FILE --match PATTERN (or --resume ID)");
                var warnings = new List<string>();
                var otaUi = OtaUiFleetPlan.Applies(parse, o, paths) ? await OtaUiFleetPlan.StartAsync(parse, o, paths, warnings, history, cancellationToken) : null;
                var named = otaUi is null ? o.LoadImages(parse, paths, out warnings) : [];
                var images = otaUi?.Images ?? new FleetImages(named.Select(n => n.Image));
                string? timeoutWarning = null;
                var settings = new RolloutSettings(parse.GetValue(stages)!, Threshold(parse.GetValue(maxFailures)!), TimeSpan.FromSeconds(FleetUploadOptions.InRange(parse.GetValue(pause), 0, 86400, "--pause-between")),
                    otaUi?.Options ?? o.ReadFleetOptions(parse, images, out timeoutWarning), parse.GetValue(o.Force), parse.GetValue(skipCurrent), parse.GetValue(allowDowngrade));
                var sizes = Stages(settings.Stages);
                if (timeoutWarning is not null) warnings.Add(timeoutWarning);
                foreach (var w in warnings) Console.Error.WriteLine(Printable.Of($"warning: {w}"));
                if (!history.IsAvailable) Console.Error.WriteLine("warning: without the history database this rollout cannot be resumed, and --skip-current and the downgrade check know nothing");
                var sites = otaUi is null ? SiteMode.Choose(parse, history, site, o) : null;
                var found = sites is not null ? sites.Targets(parse.GetValue(o.Match)).RefuseOthers(images)
                    : otaUi is not null ? await otaUi.FindTargetsAsync(parse, o, history, cancellationToken)
                    : await o.FindTargetsAsync(parse, settings.Fleet.Interface, history, images, cancellationToken);
                var targets = found.Targets;
                foreach (var w in found.Warnings) Diagnostics.Warning(w);
                if (targets.Count == 0)
                    throw new CliError(found.Refused.Count > 0 ? ExitCodes.BadInput : ExitCodes.PartialFailure, found.Refused.Count > 0
                        ? $"no board to roll out to: every matching board is of a family this rollout has no image for ({found.Refused.Count} refused); nothing was sent"
                        : "no board to roll out to: every matching name answered from several addresses; nothing was sent");
                sites?.RefuseConflicts(targets);
                FleetUploadOptions.EnsureDescriptors(targets.Count, settings.Fleet);
                var identities = otaUi?.Identities.ToList() ?? named.Select(n => ImageIdentity.Of(n.Image.Sent, n.Name)).ToList();
                var known = Known(history);
                RolloutPlan plan;
                try
                {
                    // A board given by address is known under the name discovery last saw at that address, if any.
                    BoardSummary? Lookup(FleetTarget t) => known.GetValueOrDefault(t.Name)
                        ?? (t.ByName ? null : history.Try(s => s.BoardAt(t.EndPoint), null) is { } seen ? known.GetValueOrDefault(seen) : null);
                    var byName = targets.ToDictionary(t => t.Name, Lookup);
                    plan = RolloutPlan.Create(targets, sizes, identities, settings.SkipCurrent, settings.AllowDowngrade, name => byName.GetValueOrDefault(name));
                }
                catch (DowngradeException e)
                {
                    throw new CliError(ExitCodes.BadInput, $"refusing to roll {string.Join(" and ", identities.Select(n => n.FileName))} out: {e.Message}");
                }
                catch (FormatException e)
                {
                    throw new CliError(ExitCodes.Usage, $"--stages: {e.Message}");
                }
                long? id = history.Try<long?>(s => new RolloutStore(s).Create([.. identities.Zip(paths, (i, p) => (i, p.FullName))], settings, plan, sites?.Filter), null);
                run = new Run(id, images, identities, settings, plan, Resumed: false, sites) { Refused = found.Refused, OtaUi = otaUi };
            }
            await using var serving = run.OtaUi;
            return await ExecuteAsync(run, history, asJson, cancellationToken);
        }));
        return command;
    }

    private sealed record Run(long? Id, FleetImages Images, IReadOnlyList<ImageIdentity> Identities, RolloutSettings Settings, RolloutPlan Plan, bool Resumed,
        SiteMode? Sites = null)
    {
        /// <summary>The first image's file name (the only one in a rollout of one family).</summary>
        public string FileName => Identity.FileName;

        /// <summary>The first image.</summary>
        public ImageIdentity Identity => Identities[0];

        /// <summary>Boards refused before anything was sent: no image of their family.</summary>
        public IReadOnlyList<(FleetTarget Target, string Reason)> Refused { get; init; } = [];

        /// <summary>The boards' server and sender when the rollout goes by the OTA UI method.</summary>
        public OtaUiFleetPlan? OtaUi { get; init; }
    }

    private static async Task<Run> ResumeAsync(BestEffortHistory history, long id, ParseResult parse, FleetUploadOptions o, CancellationToken cancellationToken)
    {
        var store = history.Store ?? throw new CliError(ExitCodes.IoError, "cannot resume: the history database is not available (see the warning above)");
        var rollouts = new RolloutStore(store);
        var record = Read(() => rollouts.Load(id)) ?? throw new CliError(ExitCodes.BadInput, $"there is no rollout {id} in {store.Where}");
        // A completed rollout may still have boards it cut that waited for a reset: resuming sends them the image again.
        if (record.State == "completed" && !record.Plan.Boards.Any(b => b.State == RolloutBoardState.NeedsReset))
            throw new CliError(ExitCodes.BadInput, $"rollout {id} is completed: nothing to resume");
        var images = new List<PushImage>();
        var identities = new List<ImageIdentity>();
        if (await ResumeOtaUiAsync(history, store, record, parse, o, cancellationToken) is { } otaUi)
        {
            if (!Read(() => rollouts.Claim(id)))
            {
                await otaUi.DisposeAsync();
                throw new CliError(ExitCodes.Usage, $"rollout {id} is running in another process (pid {record.OwnerPid}); stop it first: ameba-ota fleet rollout --stop {id}");
            }
            return new Run(id, otaUi.Images, otaUi.Identities, record.Settings, record.Plan, Resumed: true) { OtaUi = otaUi };
        }
        foreach (var recorded in record.Images)
        {
            IFirmwareImage loaded;
            try { loaded = BoardFamilies.LoadImage(recorded.Path); }
            catch (Exception e) when (e is FileNotFoundException or ImageFormatException or IOException or UnauthorizedAccessException)
            {
                // A shared database keeps the bytes as sent: any machine may resume.
                loaded = Read(() => store.ImageBytes(recorded.Sha256)) is { } kept ? BoardFamilies.ParseImage(kept)
                    : throw new CliError(ExitCodes.BadInput, $"cannot resume rollout {id}: its image {recorded.Path} is gone or unreadable ({e.Message})");
            }
            // The rollout recorded the image as it goes to boards (a "new" signature cleared, a km0_km4_image2.bin wrapped):
            // prepare it the same way again.
            string name = Path.GetFileName(recorded.Path);
            var image = UploadCommand.Sender(name, loaded).Prepare(loaded);
            foreach (var w in UploadCommand.Preflight(name, image, record.Settings.Force))
                Console.Error.WriteLine(Printable.Of($"warning: {w}"));
            var identity = ImageIdentity.Of(image.Sent, name);
            if (identity.Sha256 != recorded.Sha256)
                throw new CliError(ExitCodes.BadInput, $"cannot resume rollout {id}: {recorded.Path} has changed since (sha256 {identity.ShortSha}, the rollout sends {recorded.Sha256[..12]})");
            images.Add(image);
            identities.Add(identity);
        }
        if (!Read(() => rollouts.Claim(id)))
            throw new CliError(ExitCodes.Usage, $"rollout {id} is running in another process (pid {record.OwnerPid}); stop it first: ameba-ota fleet rollout --stop {id}");
        return new Run(id, new FleetImages(images), identities, record.Settings, record.Plan, Resumed: true,
            record.Sites is null ? null : SiteMode.ForResume(store, record.Sites));
    }

    /// <summary>
    /// The rollout's images loaded again and, when they go by the OTA UI method (an AmebaPro2 image, or <c>--ota-ui</c>
    /// given again with <c>--resume</c>), the boards' server started for them; null for a push rollout.
    /// </summary>
    private static async Task<OtaUiFleetPlan?> ResumeOtaUiAsync(BestEffortHistory history, HistoryStore store, RolloutRecord record, ParseResult parse,
        FleetUploadOptions o, CancellationToken cancellationToken)
    {
        var loaded = new List<(string Name, byte[] Bytes, string Sha256)>();
        foreach (var recorded in record.Images)
        {
            byte[] bytes;
            try { bytes = File.ReadAllBytes(recorded.Path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                bytes = Read(() => store.ImageBytes(recorded.Sha256)) ?? throw new CliError(ExitCodes.BadInput,
                    $"cannot resume rollout {record.Id}: its image {recorded.Path} is gone or unreadable ({e.Message})");
            }
            loaded.Add((Path.GetFileName(recorded.Path), bytes, recorded.Sha256));
        }
        IFirmwareImage[] parsed;
        try { parsed = [.. loaded.Select(l => BoardFamilies.ParseImage(l.Bytes))]; }
        catch (ImageFormatException) { return null; }   // the push path says what is wrong
        if (!o.OtaUi.Chosen(parse, parsed)) return null;
        var named = new List<(string Name, Protocol.OtaUi.Server.OtaUiImage Image)>();
        foreach (var (name, bytes, sha) in loaded)
        {
            var image = Protocol.OtaUi.Server.OtaUiImage.From(bytes, name, record.Settings.Force);
            if (image.Sha256 != sha)
                throw new CliError(ExitCodes.BadInput, $"cannot resume rollout {record.Id}: {name} has changed since (sha256 {image.Sha256[..12]}, the rollout sends {sha[..12]})");
            named.Add((name, image));
        }
        var warnings = new List<string>();
        var plan = await OtaUiFleetPlan.StartAsync(parse, o, named, history, warnings, cancellationToken);
        foreach (var w in warnings) Diagnostics.Warning(Printable.Of(w));
        return plan;
    }

    private static async Task<int> ExecuteAsync(Run run, BestEffortHistory history, bool asJson, CancellationToken cancellationToken)
    {
        var plan = run.Plan;
        var journal = run.Id is { } journalId ? new RolloutJournal(history, journalId) : null;
        var runner = run.Sites is { } sites
            ? new RolloutRunner(plan, run.Settings, journal) { Sender = (options, _) => sites.Sender(options, run.Identities, "fleet rollout", run.Id) }
            : run.OtaUi is { } otaUi
            // A stop request lets boards already triggered finish (a cut download leaves them stuck until reset); Ctrl+C cuts them.
            ? new RolloutRunner(plan, run.Settings, journal) { Sender = (options, airtime) => otaUi.Sender(options, quiet: asJson, abort: cancellationToken, airtime) }
            : new RolloutRunner(plan, run.Settings, journal);
        // Site agents record the uploads they make; a rollout sent from here records its own.
        if (run.Sites is null) runner.FleetBoardChanged += new FleetHistoryRecorder(history, run.Identities, "fleet rollout", cancellationToken, run.Id).OnBoardChanged;
        var latest = plan.Boards.Select(b => new RolloutBoardStatus(b, null)).ToArray();
        var index = plan.Boards.Select((b, i) => (b.Target, i)).ToDictionary(x => x.Target, x => x.i);
        int currentStage = 0;
        runner.BoardChanged += s => Volatile.Write(ref latest[index[s.Board.Target]], s);
        runner.StageChanged += e => Volatile.Write(ref currentStage, e.Stage);

        RolloutResult result;
        if (asJson)
        {
            JsonOut.Write(new RolloutStartJson("rollout", run.Id, run.FileName, run.Identity.Sha256, run.Identity.SketchVersion, run.Resumed, plan.Boards.Count,
                [.. Enumerable.Range(1, plan.StageCount).Select(k => new RolloutStageJson(k, [.. plan.Stage(k).Select(b => b.Target.Name)]))],
                [.. plan.Boards.Where(b => b.State == RolloutBoardState.AlreadyInstalled).Select(b => b.Target.Name)]), RolloutJsonContext.Default.RolloutStartJson);
            var gate = new Lock();
            runner.StageChanged += e => { lock (gate) JsonOut.Write(new RolloutStageEventJson("stage", run.Id, e.Stage, e.Kind.ToString().ToLowerInvariant(), e.Boards), RolloutJsonContext.Default.RolloutStageEventJson); };
            var shown = new RolloutBoardState[plan.Boards.Count];
            for (int i = 0; i < shown.Length; i++) shown[i] = plan.Boards[i].State;
            runner.BoardChanged += s =>
            {
                lock (gate)
                {
                    int i = index[s.Board.Target];
                    if (shown[i] == s.Board.State) return;
                    shown[i] = s.Board.State;
                    JsonOut.Write(RolloutBoardJson.From(run.Id, s), RolloutJsonContext.Default.RolloutBoardJson);
                }
            };
            using (AirtimeLines(runner, run.Id, gate))
                result = await runner.RunAsync(run.Images, cancellationToken);
            foreach (var (t, reason) in run.Refused) JsonOut.Write(FleetBoardJson.Refused(t, reason), FleetJsonContext.Default.FleetBoardJson);
            JsonOut.Write(new RolloutEndJson("end", run.Id, RolloutStore.StateName(result.End), result.Reason, result.Count(RolloutBoardState.Success),
                result.Count(RolloutBoardState.Failure), result.Count(RolloutBoardState.AlreadyInstalled), result.Count(RolloutBoardState.Aborted),
                result.Count(RolloutBoardState.Pending), Math.Round(result.Duration.TotalMilliseconds, 1))
                { NeedsReset = result.Count(RolloutBoardState.NeedsReset), Airtime = AirtimeJson.From(runner.Airtime.Snapshot()) },
                RolloutJsonContext.Default.RolloutEndJson);
        }
        else
        {
            RolloutText.Plan(run.Id, run.Identities, plan, run.Resumed);
            if (UploadText.UseProgressBar)
            {
                result = await RolloutText.WithLiveTableAsync(() => (latest, Volatile.Read(ref currentStage)), runner.Airtime.Snapshot, plan.StageCount,
                    () => runner.RunAsync(run.Images, cancellationToken));
            }
            else
            {
                runner.StageChanged += RolloutText.StageLine;
                runner.BoardChanged += RolloutText.PlainLine;
                result = await runner.RunAsync(run.Images, cancellationToken);
            }
            RolloutText.Summary(run.Id, result, run.Identity, Known(history));
            foreach (var (t, _) in run.Refused)
                Console.WriteLine(Printable.Of($"  refused: {t.Name} ({t.EndPoint}): {(t.Family is { } f ? $"{f.Id} board, no {f.Id} image given" : "family unknown")}; nothing was sent"));
            FleetText.AirtimeSummary(runner.Airtime.Snapshot());
        }
        if (result.End == RolloutEnd.Stopped && cancellationToken.IsCancellationRequested) return ExitCodes.Cancelled;
        return result.End == RolloutEnd.Completed && run.Refused.Count == 0 &&
               result.Boards.All(b => b.State is RolloutBoardState.Success or RolloutBoardState.AlreadyInstalled)
            ? ExitCodes.Ok : ExitCodes.PartialFailure;
    }

    /// <summary>Writes an <c>airtime</c> event once a second while boards are under way, until disposed.</summary>
    private static IDisposable AirtimeLines(RolloutRunner runner, long? id, Lock gate) => new Timer(_ =>
    {
        var a = runner.Airtime.Snapshot();
        if (a.Sending + a.Erasing + a.Waiting == 0) return;
        lock (gate) JsonOut.Write(new RolloutAirtimeJson("airtime", id, AirtimeJson.From(a)), RolloutJsonContext.Default.RolloutAirtimeJson);
    }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

    private static int StopRollout(ParseResult parse, Option<string?> db, long id)
    {
        using var store = HistoryDatabase.OpenForReading(parse, db);
        string? before = Read(() => new RolloutStore(store).RequestStop(id));
        Console.WriteLine(before switch
        {
            null => throw new CliError(ExitCodes.BadInput, $"there is no rollout {id} in {store.Where}"),
            "running" or "stopping" => $"rollout {id}: stop requested; the process running it stops sending within a second (resume with --resume {id})",
            _ => $"rollout {id} is not running ({before}); nothing to stop",
        });
        return ExitCodes.Ok;
    }

    private static IReadOnlyDictionary<string, BoardSummary> Known(BestEffortHistory history) =>
        history.Try(s => s.Boards().ToDictionary(b => b.Name, StringComparer.OrdinalIgnoreCase), new Dictionary<string, BoardSummary>());

    private static T Read<T>(Func<T> read)
    {
        try { return read(); }
        catch (HistoryException e) { throw new CliError(ExitCodes.IoError, e.Message); }
    }

    private static IReadOnlyList<StageSize> Stages(string text)
    {
        try { return StagePlan.Parse(text); }
        catch (FormatException e) { throw new CliError(ExitCodes.Usage, $"--stages: {e.Message}"); }
    }

    private static FailureThreshold Threshold(string text)
    {
        try { return FailureThreshold.Parse(text); }
        catch (FormatException e) { throw new CliError(ExitCodes.Usage, e.Message); }
    }

    /// <summary>With --resume or --stop the rollout's own settings apply: other options given are a mistake, not silently ignored.</summary>
    private static void Refuse(ParseResult parse, string mode, Argument<FileInfo[]> file, IEnumerable<Option> others)
    {
        if (parse.GetValue(file) is { Length: > 0 }) throw new CliError(ExitCodes.Usage, $"{mode} takes no image: the rollout's own image is used");
        var given = others.Where(x => parse.GetResult(x) is { Implicit: false }).Select(x => x.Name).ToList();
        if (given.Count > 0) throw new CliError(ExitCodes.Usage, $"{mode} uses the rollout's own settings: drop {string.Join(", ", given)}");
    }
}
