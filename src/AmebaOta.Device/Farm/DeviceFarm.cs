using System.Net;
using System.Runtime.ExceptionServices;
using AmebaOta.Discovery;
using AmebaOta.Device.Families;
using AmebaOta.Families;
using AmebaOta.Flash;
using AmebaOta.Images;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmebaOta.Device.Farm;

/// <summary>
/// N virtual boards in one process, each with its own flash file, loopback address and mDNS name (<c>MyAmeba-001</c> …), all on
/// one OTA port. <see cref="Open"/> loads the flash files (creating missing ones from the image, as a USB/DAP upload would);
/// <see cref="RunAsync"/> powers every board on at once and runs them until cancelled, then writes every flash file back.
/// A board holds little: the sectors its flash does not share with the others' (all boards' identical sectors are held once,
/// <see cref="FlashSectorPool"/>), its mDNS responder (all boards share one socket), a few tasks.
/// </summary>
public sealed class DeviceFarm
{
    private readonly int[] _listened;
    private readonly TaskCompletionSource _allListening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _listening;

    private DeviceFarm(IReadOnlyList<FarmBoard> boards)
    {
        Boards = boards;
        _listened = new int[boards.Count];
        for (int i = 0; i < boards.Count; i++)
        {
            var board = boards[i];
            int index = i;
            board.Board.OtaListening += endPoint => OnListening(index, board, endPoint);
        }
    }

    public IReadOnlyList<FarmBoard> Boards { get; }

    /// <summary>Completes once every board's OTA receiver has listened at least once (each board has claimed its mDNS name by then).</summary>
    public Task AllListening => _allListening.Task;

    /// <summary>Raised each time a board's OTA receiver listens (after every boot that gets that far).</summary>
    public event Action<FarmBoard, IPEndPoint>? BoardListening;

    /// <summary>
    /// Plans the boards and loads their flash files, creating missing ones from <see cref="DeviceFarmOptions.Image"/>.
    /// Throws <see cref="FarmException"/> for bad options or a missing file without an image (before touching any file),
    /// <see cref="FlashFormatException"/> for an existing file that is no flash file, <see cref="ImageFormatException"/> when the image does not fit.
    /// </summary>
    public static DeviceFarm Open(DeviceFarmOptions options)
    {
        var plans = FarmBoardPlan.For(options);
        var missing = plans.Where(p => !File.Exists(p.FlashPath)).ToList();
        if (missing.Count > 0 && options.Images.Count == 0)
            throw new FarmException(FarmProblem.MissingInput,
                $"{missing.Count} of the {plans.Count} flash files do not exist (first: {missing[0].FlashPath}): give --image to create them with that image as Default Image 2");
        foreach (var family in missing.Select(p => p.Family).Distinct())
            if (ImageFor(options, family) is null)
                throw new FarmException(FarmProblem.MissingInput,
                    $"{missing.Count(p => p.Family == family)} {family.Id} boards have no flash file yet and no {family.Id} image was given: add an --image of that family");
        Directory.CreateDirectory(Path.GetDirectoryName(plans[0].FlashPath)!);
        var boards = new FarmBoard[plans.Count];
        var sectors = new FlashSectorPool();
        try
        {
            Parallel.For(0, plans.Count, i => boards[i] = OpenBoard(plans[i], options, sectors));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
        return new DeviceFarm(boards);
    }

    private static FarmBoard OpenBoard(FarmBoardPlan plan, DeviceFarmOptions options, FlashSectorPool sectors)
    {
        NorFlash flash;
        bool created = !File.Exists(plan.FlashPath);
        var family = plan.Family;
        if (created)
        {
            flash = family.CreateBlankChip(options.FlashSize ?? family.DefaultChipSize);
            family.UsbUpload(flash, ImageFor(options, family)!);
            FlashFile.Save(flash, plan.FlashPath);
        }
        else
        {
            flash = FlashFile.Load(plan.FlashPath);
            family = BoardFamilies.IdentifyFlash(flash.Contents) ?? family;
        }
        flash.ShareSectors(sectors);
        var virtualFamily = VirtualFamilies.For(family)
            ?? throw new FarmException(FarmProblem.BadOptions, $"this version has no virtual {family.DisplayName} board ({plan.FlashPath})");
        var logger = options.LoggerFactory?.CreateLogger<DeviceFarm>() ?? (ILogger)NullLogger.Instance;
        string mdnsInterface = options.MdnsInterface ?? plan.Address.ToString();
        var boardOptions = new VirtualBoardOptions
        {
            FlashPath = plan.FlashPath,
            BindAddress = plan.Address,
            PortOverride = options.Port ?? virtualFamily.DefaultOtaPort,
            ReceiveTimeout = options.ReceiveTimeout ?? virtualFamily.DefaultReceiveTimeout,
            FlashTiming = options.FlashTimingFor?.Invoke(family) ?? options.FlashTiming,
            Family = virtualFamily,
            Timing = options.Timing,
            Console = options.ConsoleFor(plan),
            DeviceName = plan.Name,
            AdvertiserFactory = options.Advertise
                ? () => new MdnsResponder(new MdnsResponderOptions { Interface = mdnsInterface, Logger = logger })
                : null,
            LoggerFactory = options.LoggerFactory,
            SectorPool = sectors,
        };
        return new FarmBoard(plan, new VirtualBoard(flash, boardOptions), created);
    }

    /// <summary>The image for boards of <paramref name="family"/>: the first of that family.</summary>
    public static IFirmwareImage? ImageFor(DeviceFarmOptions options, BoardFamily family) => options.Images.FirstOrDefault(i => i.Family == family);

    /// <summary>
    /// Powers every board on at once (their mDNS probing runs concurrently) and runs them until <paramref name="cancellationToken"/>
    /// is cancelled; returns when every board has stopped and written its flash file back. If one board fails (its mDNS
    /// interface vanished, say), every board is stopped and that failure is rethrown.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var power = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var runs = Boards.Select(b => Task.Run(async () =>
        {
            try
            {
                await b.Board.RunAsync(power.Token).ConfigureAwait(false);
            }
            catch
            {
                power.Cancel();
                throw;
            }
        }, CancellationToken.None)).ToArray();
        await Task.WhenAll(runs).ConfigureAwait(false);
    }

    private void OnListening(int index, FarmBoard board, IPEndPoint endPoint)
    {
        if (Interlocked.Exchange(ref _listened[index], 1) == 0 && Interlocked.Increment(ref _listening) == Boards.Count)
            _allListening.TrySetResult();
        BoardListening?.Invoke(board, endPoint);
    }
}
