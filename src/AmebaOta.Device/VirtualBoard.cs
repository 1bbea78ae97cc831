using System.Net;
using System.Net.Sockets;
using AmebaOta.Device.Sketches;
using AmebaOta.Families;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Pins;
using AmebaOta.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AmebaOta.Device;

/// <summary>
/// A virtual Ameba: boots its flash with the real boot loader's decision and log (docs/reference section 4), then runs the
/// sketch the booted image describes. An OTA success reboots in-process (boot log again, new sketch); a failed one
/// leaves the sketch idling, as the real <c>ota_basic</c> does. <see cref="Reset"/> is the reset button,
/// <see cref="PowerCut"/> pulls the plug at the next flash operation, <see cref="Wifi"/> is the access point. A reboot,
/// reset or power cut silences the board's mDNS without a goodbye (a real board cannot send one); only a clean power-off
/// (cancelling <see cref="RunAsync"/>'s token) says goodbye. The flash file is written back after each OTA attempt,
/// when the receiver starts listening (so settings the sketch wrote are on disk), and on shutdown. Output goes to
/// <see cref="VirtualBoardOptions.Console"/>: never to the process console.
/// </summary>
public sealed class VirtualBoard
{
    private readonly VirtualBoardOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private CancellationTokenSource? _resetSource;
    private int? _resolvedPort;
    private Socket? _portReservation;
    private SketchContext? _context;
    private IPEndPoint? _listeningOn;
    private long _powerCutArmed;   // the arming number of a power cut still waiting for a flash operation; 0: none
    private long _powerCutArmings;

    public VirtualBoard(NorFlash flash, VirtualBoardOptions options)
    {
        Flash = flash;
        Flash.Timing = options.FlashTiming;
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

    /// <summary>Pin levels read at each boot; change them, then <see cref="Reset"/>. They hold across resets, as a jumper does.</summary>
    public PinLevels Pins => _options.Pins;

    /// <summary>The access point the board joins. <c>SetUp(false)</c>: its link drops, its services stop answering.</summary>
    public WifiNetwork Wifi => _options.Wifi;

    /// <summary>What the OTA receiver is doing right now (erasing sector 37 of 120, downloading, hung after a FIN, …).</summary>
    public OtaReceiverActivity OtaActivity { get; } = new();

    /// <summary>The board's family (its boot code and sketches).</summary>
    public AmebaOta.Families.BoardFamily Family => _options.Family.Family;

    /// <summary>The port the board listens on instead of its sketch's (null: the sketch's).</summary>
    public int? PortOverride => _resolvedPort ?? _options.PortOverride;

    /// <summary>The flash timing profile the board runs with.</summary>
    public FlashTiming FlashTiming => Flash.Timing;

    /// <summary>The stock <c>sys_reset()</c>'s 100 ms wait before the chip resets.</summary>
    public static readonly TimeSpan SysResetDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>How many times the boot loader has run since power-on.</summary>
    public int BootCount { get; private set; }

    public IBootOutcome? LastBoot { get; private set; }

    /// <summary>Where the OTA receiver's socket is open right now (null: not listening, or closed while Wi-Fi is down).</summary>
    public IPEndPoint? ListeningOn
    {
        get { lock (_gate) return _listeningOn; }
    }

    /// <summary>The mDNS name the running sketch answers to right now (null: not advertising, or silent while Wi-Fi is down).</summary>
    public string? AdvertisedName
    {
        get
        {
            SketchContext? context;
            lock (_gate) context = _context;
            return context is { IsAdvertising: true } ? context.AdvertisedName : null;
        }
    }

    /// <summary>The OTA UI state the running sketch reports in its heartbeats (null: not an OTA UI sketch, or none running).</summary>
    public Protocol.OtaUi.OtaUiState? OtaUiState
    {
        get
        {
            lock (_gate) return _context?.OtaUi?.State;
        }
    }

    /// <summary>True while the running sketch's Wi-Fi link is connected (<c>WiFi.status()</c>).</summary>
    public bool WifiConnected
    {
        get
        {
            lock (_gate) return _context?.Wifi.IsConnected ?? false;
        }
    }

    /// <summary>Raised each time the OTA receiver listens, with its local end point.</summary>
    public event Action<IPEndPoint>? OtaListening;

    /// <summary>Raised each time the OTA receiver's socket opens (its end point) or closes (null), e.g. as Wi-Fi drops and comes back.</summary>
    public event Action<IPEndPoint?>? ListenerChanged;

    /// <summary>Raised when the board starts answering on mDNS (the name claimed) or goes silent (null).</summary>
    public event Action<string?>? AdvertisingChanged;

    /// <summary>Raised after each boot decision (before the sketch runs).</summary>
    public event Action<IBootOutcome>? Booted;

    /// <summary>Powers the board on and runs it until <paramref name="cancellationToken"/> is cancelled (power off); then writes the flash back.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        ResolvePort();
        var flaky = _options.WifiFlaky is { } pattern
            ? pattern.RunAsync(Wifi, _options.Console.Note, cancellationToken)
            : Task.CompletedTask;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                using var reset = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                lock (_gate) _resetSource = reset;
                try
                {
                    if (await RunOnceAsync(reset.Token, cancellationToken).ConfigureAwait(false) == SketchExit.Idle)
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
                    if (_options.SectorPool is { } pool) Flash.ShareSectors(pool);   // between boots: no flash operation under way
                }
            }
        }
        finally
        {
            await flaky.ConfigureAwait(false);
            Flush();
            _portReservation?.Dispose();
            _portReservation = null;
        }
    }

    /// <summary>Presses the reset button: the running sketch stops where it is and the board boots again. No effect while powered off.</summary>
    public void Reset()
    {
        lock (_gate) _resetSource?.Cancel();
    }

    /// <summary>
    /// Pulls the plug at the next flash operation, which is left half done (half the sector erased, half the bytes
    /// programmed), then power comes back and the board boots again. If no flash operation happens within
    /// <see cref="VirtualBoardOptions.PowerCutGrace"/>, the board is simply power-cycled. Returns false while the board is
    /// powered off.
    /// </summary>
    public bool PowerCut()
    {
        long arming;
        lock (_gate)
        {
            if (_resetSource is null) return false;
            arming = ++_powerCutArmings;
            _powerCutArmed = arming;
            Flash.SchedulePowerCut(new FlashPowerCut(1, Tear: true));
        }
        _ = Task.Delay(_options.PowerCutGrace).ContinueWith(_ =>
        {
            lock (_gate)
            {
                if (_powerCutArmed != arming) return;   // the cut happened (or a newer one was armed)
                _powerCutArmed = 0;
                Flash.SchedulePowerCut(null);
            }
            _options.Console.Note("power cut: no flash operation was under way, so nothing was torn; power is back on");
            Reset();
        }, TaskScheduler.Default);
        return true;
    }

    /// <summary>True (and disarmed) when a <see cref="PowerCut"/> was waiting: the cut that just happened is that one.</summary>
    private bool TakeArmedPowerCut()
    {
        lock (_gate)
        {
            if (_powerCutArmed == 0) return false;
            _powerCutArmed = 0;
            return true;
        }
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
    private async Task<SketchExit> RunOnceAsync(CancellationToken cancellationToken, CancellationToken powerOff)
    {
        var console = _options.Console;
        var sinceBoot = System.Diagnostics.Stopwatch.StartNew();
        if (Flash.IsPoweredOff) Flash.PowerOn();
        var boot = _options.Family.Family.Boot(Flash, _options.Pins);
        await Flash.WaitReadyAsync(cancellationToken).ConfigureAwait(false);   // the loader copies Image 2 into SRAM
        BootCount++;
        LastBoot = boot;
        foreach (var line in boot.Log) console.Serial(line);
        Booted?.Invoke(boot);
        if (!boot.Started) return SketchExit.Idle;

        var sketch = boot.Sketch;
        if (sketch is null)
        {
            string what = boot.SketchError is { } error
                ? $"the image at 0x{boot.ChosenAddress:x} has a damaged sketch descriptor ({error})"
                : $"the image at 0x{boot.ChosenAddress:x} has no sketch descriptor: it is real ARM code, which the virtual board cannot run";
            if (_options.DefaultSketch is null)
            {
                console.Note($"{what}; idling (use --default-sketch to run a basic OTA sketch instead)");
                return SketchExit.Idle;
            }
            console.Note($"{what}; running the default basic OTA sketch instead");
            sketch = _options.DefaultSketch;
        }

        if (_options.DeviceName is { } deviceName) sketch = sketch with { DeviceName = deviceName };
        if (_options.ServerOverride is { } server && SketchModes.Pulls(sketch.Mode)) sketch = sketch with { Server = server };
        var program = _options.Family.SketchFor(sketch, out string? unsupported);
        if (program is null)
        {
            console.Note($"{unsupported}; idling");
            return SketchExit.Idle;
        }

        var wifi = _options.WifiFactory?.Invoke() ?? new WifiLink(_options.Wifi);
        var context = new SketchContext(sketch, Flash, console, wifi, _options.BindAddress, _resolvedPort ?? sketch.Port,
            _options.ReceiveTimeout, _options.AdvertiserFactory, OnListening, _logger, _options.Timing, sinceBoot, OnListenerChanged,
            name => AdvertisingChanged?.Invoke(name), OtaActivity, _options.Family.OtaStarvesNetwork, boot);
        lock (_gate) _context = context;
        bool goodbye = false;
        try
        {
            var exit = await program.RunAsync(context, cancellationToken).ConfigureAwait(false);
            // Ameba1's sys_reset() busy-waits 100 ms before it resets the chip; AmebaD's watchdog fires 50 ms after it is armed.
            if (exit == SketchExit.Reboot) await Task.Delay(_options.Family.ResetDelay, cancellationToken).ConfigureAwait(false);
            // An idling sketch (loop() does nothing) keeps its services: mDNS still answers, as on a real board.
            if (exit == SketchExit.Idle) await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            return exit;
        }
        catch (PowerCutException e)
        {
            if (TakeArmedPowerCut())
            {
                console.Note($"{e.Message}: power is back on");
                return SketchExit.Reboot;
            }
            console.Note($"{e.Message}: the board is dead until reset");
            return SketchExit.Idle;
        }
        catch (OperationCanceledException) when (powerOff.IsCancellationRequested)
        {
            goodbye = true;   // a clean power-off (quit, Ctrl+C, SIGTERM): the responder may say goodbye
            throw;
        }
        finally
        {
            await context.ShutdownAsync(goodbye).ConfigureAwait(false);
            await context.DisposeAsync().ConfigureAwait(false);
            lock (_gate)
            {
                if (_context == context) _context = null;
            }
        }
    }

    private void OnListenerChanged(IPEndPoint? endPoint)
    {
        lock (_gate) _listeningOn = endPoint;
        ListenerChanged?.Invoke(endPoint);
    }

    private void OnListening(IPEndPoint endPoint)
    {
        Flush();
        _options.Console.Note($"OTA receiver listening on {endPoint}");
        OtaListening?.Invoke(endPoint);
    }

    /// <summary>
    /// Port override 0 means "any free port": picked once, so the board keeps its port across reboots as a real one does.
    /// The picking socket stays bound (SO_REUSEADDR, never listening) while the board runs, so no outgoing connection on
    /// this host is given that port as its ephemeral port in the meantime; the receiver, also SO_REUSEADDR, can still listen on it.
    /// Never SO_REUSEPORT (which .NET's ReuseAddress adds on Linux): that would let another board listen on the same port.
    /// </summary>
    private void ResolvePort()
    {
        if (_resolvedPort is not null || _options.PortOverride is not { } port) return;
        if (port != 0) { _resolvedPort = port; return; }
        var reservation = new Socket(_options.BindAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        Protocol.PortReuse.AllowRebind(reservation);
        reservation.Bind(new IPEndPoint(_options.BindAddress, 0));
        _resolvedPort = ((IPEndPoint)reservation.LocalEndPoint!).Port;
        _portReservation = reservation;
    }
}
