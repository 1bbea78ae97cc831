using System.Net;
using System.Net.Sockets;
using AmebaOta.Boot;
using AmebaOta.Device.Sketches;
using AmebaOta.Flash;
using AmebaOta.Images;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmebaOta.Device;

/// <summary>
/// A virtual Ameba: boots its flash with the real boot loader's decision and log (spec section 4), then runs the
/// sketch the booted image describes. An OTA success reboots in-process (boot log again, new sketch); a failed one
/// leaves the sketch idling, as the real <c>ota_basic</c> does. <see cref="Reset"/> is the reset button. The flash
/// file is written back after each OTA attempt, when the receiver starts listening (so settings the sketch wrote are
/// on disk), and on shutdown. Output goes to <see cref="VirtualBoardOptions.Console"/>: never to the process console.
/// </summary>
public sealed class VirtualBoard
{
    private readonly VirtualBoardOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private CancellationTokenSource? _resetSource;
    private int? _resolvedPort;

    public VirtualBoard(NorFlash flash, VirtualBoardOptions options)
    {
        Flash = flash;
        _options = options;
        _logger = options.LoggerFactory?.CreateLogger<VirtualBoard>() ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Loads <see cref="VirtualBoardOptions.FlashPath"/> (bad files throw <see cref="FlashFormatException"/>).</summary>
    public static VirtualBoard Open(VirtualBoardOptions options)
    {
        if (options.FlashPath is null) throw new ArgumentException("the options name no flash file", nameof(options));
        return new VirtualBoard(FlashFile.Load(options.FlashPath), options);
    }

    public NorFlash Flash { get; }

    /// <summary>Pin levels read at each boot; change them, then <see cref="Reset"/>.</summary>
    public PinLevels Pins => _options.Pins;

    /// <summary>How many times the boot loader has run since power-on.</summary>
    public int BootCount { get; private set; }

    public BootResult? LastBoot { get; private set; }

    /// <summary>Raised each time the OTA receiver listens, with its local end point.</summary>
    public event Action<IPEndPoint>? OtaListening;

    /// <summary>Raised after each boot decision (before the sketch runs).</summary>
    public event Action<BootResult>? Booted;

    /// <summary>Powers the board on and runs it until <paramref name="cancellationToken"/> is cancelled (power off); then writes the flash back.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        ResolvePort();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                using var reset = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                lock (_gate) _resetSource = reset;
                try
                {
                    if (await RunOnceAsync(reset.Token).ConfigureAwait(false) == SketchExit.Idle)
                        await Task.Delay(Timeout.Infinite, reset.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (reset.IsCancellationRequested)
                {
                    // Reset button or power off: fall through to the next boot, or out of the loop.
                }
                finally
                {
                    lock (_gate) _resetSource = null;
                    Flush();
                }
            }
        }
        finally
        {
            Flush();
        }
    }

    /// <summary>Presses the reset button: the running sketch stops where it is and the board boots again. No effect while powered off.</summary>
    public void Reset()
    {
        lock (_gate) _resetSource?.Cancel();
    }

    /// <summary>Writes the flash back to its file if it changed. Safe to call at any time between flash operations.</summary>
    public void Flush()
    {
        if (_options.FlashPath is null || !Flash.IsDirty) return;
        try
        {
            FlashFile.Save(Flash, _options.FlashPath);
        }
        catch (IOException e)
        {
            _options.Console.Note($"cannot write the flash file '{_options.FlashPath}': {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            _options.Console.Note($"cannot write the flash file '{_options.FlashPath}': {e.Message}");
        }
    }

    /// <summary>One boot: the boot loader, then the sketch until it reboots (returns <see cref="SketchExit.Reboot"/>) or idles.</summary>
    private async Task<SketchExit> RunOnceAsync(CancellationToken cancellationToken)
    {
        var console = _options.Console;
        if (Flash.IsPoweredOff) Flash.PowerOn();
        var boot = BootLoader.Boot(Flash, _options.Pins);
        BootCount++;
        LastBoot = boot;
        foreach (var line in boot.Log) console.Serial(line);
        Booted?.Invoke(boot);
        if (!boot.Started) return SketchExit.Idle;

        var sketch = boot.Booted!.Body.Sketch;
        if (sketch is null)
        {
            string what = boot.Booted.Body.SketchError is { } error
                ? $"the image at 0x{boot.Booted.Address:x} has a damaged sketch descriptor ({error})"
                : $"the image at 0x{boot.Booted.Address:x} has no sketch descriptor: it is real ARM code, which the virtual board cannot run";
            if (_options.DefaultSketch is null)
            {
                console.Note($"{what}; idling (use --default-sketch to run a basic OTA sketch instead)");
                return SketchExit.Idle;
            }
            console.Note($"{what}; running the default basic OTA sketch instead");
            sketch = _options.DefaultSketch;
        }

        if (_options.DeviceName is { } deviceName) sketch = sketch with { DeviceName = deviceName };
        var program = SketchCatalog.For(sketch.Mode, out string? unsupported);
        if (program is null)
        {
            console.Note($"{unsupported}; idling");
            return SketchExit.Idle;
        }

        await using var context = new SketchContext(sketch, Flash, console, _options.WifiFactory(), _options.BindAddress,
            _resolvedPort ?? sketch.Port, _options.ReceiveTimeout, _options.AdvertiserFactory, OnListening, _logger);
        try
        {
            return await program.RunAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (PowerCutException e)
        {
            console.Note($"{e.Message}: the board is dead until reset");
            return SketchExit.Idle;
        }
    }

    private void OnListening(IPEndPoint endPoint)
    {
        Flush();
        _options.Console.Note($"OTA receiver listening on {endPoint}");
        OtaListening?.Invoke(endPoint);
    }

    /// <summary>Port override 0 means "any free port": picked once, so the board keeps its port across reboots as a real one does.</summary>
    private void ResolvePort()
    {
        if (_resolvedPort is not null || _options.PortOverride is not { } port) return;
        if (port != 0) { _resolvedPort = port; return; }
        using var probe = new Socket(_options.BindAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(_options.BindAddress, 0));
        _resolvedPort = ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
