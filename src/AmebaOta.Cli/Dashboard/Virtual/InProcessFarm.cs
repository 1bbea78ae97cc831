using AmebaOta.Device.Farm;
using AmebaOta.Families;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Pins;

namespace AmebaOta.Cli.Dashboard.Virtual;

/// <summary>
/// <c>dashboard --farm N</c>: N virtual boards run by the dashboard itself (a <see cref="DeviceFarm"/>), their flash files in a
/// temporary directory removed at exit, each board's serial output kept for the page.
/// </summary>
public sealed class InProcessFarm : IVirtualFarm
{
    private readonly DeviceFarm _farm;
    private readonly FarmControl _control;
    private readonly Dictionary<string, SerialBacklog> _serial;
    private readonly CancellationTokenSource _power = new();
    private readonly string _directory;
    private readonly Task _running;

    private InProcessFarm(DeviceFarm farm, PinMap pinMap, Dictionary<string, SerialBacklog> serial, string directory)
    {
        _farm = farm;
        _serial = serial;
        _directory = directory;
        _control = new FarmControl(farm.Boards, pinMap);
        _running = Task.Run(() => _farm.RunAsync(_power.Token));
    }

    public string Source => $"{_farm.Boards.Count} boards run by the dashboard ({_farm.Boards[0].Address} … {_farm.Boards[^1].Address}, flash files in {_directory})";

    public IReadOnlyList<string> Boards => [.. _farm.Boards.Select(b => b.Name)];

    public event Action<string>? BoardAdded
    {
        add { }
        remove { }
    }

    /// <summary>The farm's run: faults when a board cannot run (its mDNS interface vanished).</summary>
    public Task Running => _running;

    /// <summary>
    /// Opens the farm and powers it on: <paramref name="count"/> boards of one family, or the <paramref name="mix"/> of
    /// families in board order; flash files created from <paramref name="images"/> (one per family), a family without one
    /// from its version-1 basic OTA example. Throws <see cref="FarmException"/> for bad options.
    /// </summary>
    public static InProcessFarm Start(int count, IReadOnlyList<(BoardFamily Family, int Count)>? mix, IReadOnlyList<IFirmwareImage> images, string? mdnsInterface,
        FlashTiming timing, Func<BoardFamily, FlashTiming>? timingFor = null, AmebaOta.Device.Sketches.SketchTiming? sketchTiming = null)
    {
        var families = mix?.Select(m => m.Family) ?? [images.Count > 0 ? images[0].Family : BoardFamilies.Ameba1];
        var all = images.ToList();
        foreach (var family in families.Where(f => all.All(i => i.Family != f)).ToList())
            all.Add(family.TestImage(1, DeviceFarmOptions.DefaultNamePrefix)
                ?? throw new FarmException(FarmProblem.MissingInput, $"give --farm-image with an image for the {family.Id} boards"));
        string directory = Path.Combine(Path.GetTempPath(), $"ameba-ota-dashboard-{Environment.ProcessId}-{Guid.NewGuid().ToString("n")[..8]}");
        var serial = new Dictionary<string, SerialBacklog>(StringComparer.OrdinalIgnoreCase);
        var options = new DeviceFarmOptions
        {
            Count = count,
            Mix = mix,
            Directory = directory,
            Images = all,
            MdnsInterface = mdnsInterface,
            FlashTiming = timing,
            FlashTimingFor = timingFor,
            Timing = sketchTiming ?? AmebaOta.Device.Sketches.SketchTiming.Real,
        };
        foreach (var plan in FarmBoardPlan.For(options)) serial[plan.Name] = new SerialBacklog();
        options = options with { ConsoleFor = plan => SerialBacklog.Console(serial[plan.Name]) };
        try
        {
            var pinMap = PinMap.For(all[0].Sketch?.Board ?? BoardKind.Rtl8195a);
            return new InProcessFarm(DeviceFarm.Open(options), pinMap, serial, directory);
        }
        catch
        {
            TryDelete(directory);
            throw;
        }
    }

    public SerialBacklog? Serial(string board) => _serial.GetValueOrDefault(board);

    public Task<ReplyJson> ControlAsync(string board, string command, CancellationToken cancellationToken)
    {
        var control = _control.For(board);
        return Task.FromResult(control is null ? new ReplyJson(false, $"no virtual board named '{board}'") : VirtualCommands.Reply(control.Execute(command)));
    }

    public async ValueTask DisposeAsync()
    {
        await _power.CancelAsync();
        try
        {
            await _running;
        }
        catch (Exception e) when (e is Discovery.MdnsException or OperationCanceledException)
        {
        }
        _power.Dispose();
        TryDelete(_directory);
    }

    private static void TryDelete(string directory)
    {
        try { Directory.Delete(directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
