using System.Diagnostics;
using System.Net;
using AmebaOta.Discovery;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Push;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Protocol;
using Microsoft.Extensions.Logging;

namespace AmebaOta.Device.Sketches;

/// <summary>What a running sketch can reach: its descriptor, the flash, the serial port, Wi-Fi, mDNS and the OTA library. One per boot.</summary>
public sealed class SketchContext : IAsyncDisposable
{
    private readonly Func<IServiceAdvertiser>? _advertiserFactory;
    private readonly Action<IPEndPoint>? _listening;
    private readonly Action<IPEndPoint?>? _listenerChanged;
    private readonly Action<string?>? _advertisingChanged;
    private readonly Stopwatch _sinceBoot;
    private readonly CancellationTokenSource _lifetime = new();
    private IServiceAdvertiser? _advertiser;
    private Task _followLink = Task.CompletedTask;
    private volatile bool _advertising;
    private bool _shutDown;
    private readonly OtaReceiverActivity _otaActivity;
    private readonly LwipTimeWait _timeWait;

    internal SketchContext(SketchDescriptor sketch, NorFlash flash, IBoardConsole console, IWifiLink wifi, IPAddress bindAddress,
        int port, TimeSpan receiveTimeout, Func<IServiceAdvertiser>? advertiserFactory, Action<IPEndPoint>? listening, ILogger logger,
        SketchTiming? timing = null, Stopwatch? sinceBoot = null, Action<IPEndPoint?>? listenerChanged = null,
        Action<string?>? advertisingChanged = null, OtaReceiverActivity? otaActivity = null)
    {
        Sketch = sketch;
        Flash = flash;
        Console = console;
        Wifi = wifi;
        BindAddress = bindAddress;
        Port = port;
        ReceiveTimeout = receiveTimeout;
        Logger = logger;
        Timing = timing ?? SketchTiming.Real;
        _sinceBoot = sinceBoot ?? Stopwatch.StartNew();
        _advertiserFactory = advertiserFactory;
        _listening = listening;
        _listenerChanged = listenerChanged;
        _advertisingChanged = advertisingChanged;
        _timeWait = new LwipTimeWait(Timing.TimeWait);
        _otaActivity = otaActivity ?? new OtaReceiverActivity();
        _otaActivity.Changed += OnOtaActivity;
    }

    /// <summary>What this board's OTA receiver is doing.</summary>
    public OtaReceiverActivity OtaActivity => _otaActivity;

    /// <summary>
    /// True while the board's network threads get no CPU: the OTA code busy-waits at realtime priority (FreeRTOS 6) while
    /// it erases the OTA region and while its download loop spins after a FIN, and the Wi-Fi receive thread and the mDNS
    /// responder run at priority 5 (docs/reference section 9). Threads of the same priority (<c>loop()</c>, the Wi-Fi
    /// service thread) still share the CPU by time slicing.
    /// </summary>
    public bool NetworkStarved => _otaActivity.Phase is OtaReceiverPhase.Erasing or OtaReceiverPhase.HungAfterFin;

    private void OnOtaActivity() => _advertiser?.SetDeaf(NetworkStarved);

    public SketchDescriptor Sketch { get; }
    public NorFlash Flash { get; }
    public IBoardConsole Console { get; }
    public IWifiLink Wifi { get; }
    public IPAddress BindAddress { get; }

    /// <summary>The port the sketch's <c>OTA_PORT</c> really maps to (the descriptor's, unless the board overrides it).</summary>
    public int Port { get; }
    public TimeSpan ReceiveTimeout { get; }
    public ILogger Logger { get; }
    public SketchTiming Timing { get; }

    /// <summary><c>millis()</c>: milliseconds since the boot loader started.</summary>
    public long Millis => _sinceBoot.ElapsedMilliseconds;

    /// <summary>The responder started by <see cref="BeginArduinoMdnsServiceAsync"/>, if any.</summary>
    public IServiceAdvertiser? Advertiser => _advertiser;

    /// <summary>The name last claimed on mDNS (after a conflict it may differ from the device name); null when never advertised.</summary>
    public string? AdvertisedName { get; private set; }

    /// <summary>True while the responder answers (false before mDNS starts and while Wi-Fi is down).</summary>
    public bool IsAdvertising => _advertising;

    public void Serial(string line) => Console.Serial(line);

    /// <summary><c>OTA.setOtaAddress(a)</c>: system data 0x9000, written the SDK's way, taking the flash's time.</summary>
    public async Task SetOtaAddressAsync(uint address, CancellationToken cancellationToken)
    {
        new SystemData(Flash).SetOtaAddress(address);
        await Flash.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>OTA.setRecoverPin(pin)</c>: the pin's chip name | 0x80 (active HIGH) in byte 1, 0xFF in byte 0. A pin the board
    /// does not connect counts as unused; with no usable pin nothing is written, as in the stock code.
    /// </summary>
    public async Task SetRecoverPinAsync(int arduinoPin, CancellationToken cancellationToken)
    {
        var chip = AmebaOta.Pins.PinMap.For(Sketch.Board).ToChip(arduinoPin);
        if (chip is null) return;
        new SystemData(Flash).SetRecoveryPins(AmebaOta.Pins.RecoveryPin.ActiveHighFor(chip.Value).Raw);
        await Flash.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>OTA.beginArduinoMdnsService(name, port)</c>: advertises <c>_arduino._tcp</c> with the stock TXT, when the board has a
    /// responder. Returns once the name is claimed (waiting for the link first if it is down). From then on the responder
    /// follows the link: silent while Wi-Fi is down (no goodbye: the board cannot send one), probing and announcing again
    /// when it is back.
    /// </summary>
    public async Task BeginArduinoMdnsServiceAsync(CancellationToken cancellationToken)
    {
        if (_advertiserFactory is null || _advertiser is not null) return;
        _advertiser = _advertiserFactory();
        var advertisement = new ServiceAdvertisement(Sketch.DeviceName, Sketch.DeviceName, BindAddress, (ushort)Port, ArduinoService.StockTxt);
        var linkLost = await Wifi.WaitUntilUpAsync(cancellationToken).ConfigureAwait(false);
        AdvertisedName = await _advertiser.StartAsync(advertisement, cancellationToken).ConfigureAwait(false);
        SetAdvertising(true);
        _followLink = FollowLinkAsync(_advertiser, advertisement, linkLost, _lifetime.Token);
    }

    private async Task FollowLinkAsync(IServiceAdvertiser advertiser, ServiceAdvertisement advertisement, CancellationToken linkLost, CancellationToken lifetime)
    {
        try
        {
            while (true)
            {
                using (var either = CancellationTokenSource.CreateLinkedTokenSource(linkLost, lifetime))
                    await Task.Delay(Timeout.Infinite, either.Token).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
                lifetime.ThrowIfCancellationRequested();
                await advertiser.SilenceAsync().ConfigureAwait(false);
                SetAdvertising(false);
                linkLost = await Wifi.WaitUntilUpAsync(lifetime).ConfigureAwait(false);
                AdvertisedName = await advertiser.StartAsync(advertisement, lifetime).ConfigureAwait(false);
                SetAdvertising(true);
            }
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is MdnsException or System.Net.Sockets.SocketException)
        {
            Console.Note($"mDNS could not start again after Wi-Fi came back: {e.Message}");
        }
    }

    /// <summary><c>OTA.beginLocal(port)</c>: the receiver of docs/reference section 6, on this board's flash and serial port, reachable only while Wi-Fi is up.</summary>
    public Task<OtaReceiveResult> BeginLocalAsync(CancellationToken cancellationToken) =>
        new OtaReceiver(Flash, Console.Serial, Logger).BeginLocalAsync(
            new OtaReceiverOptions(BindAddress, Port)
            {
                ReceiveTimeout = ReceiveTimeout,
                Listening = _listening,
                Link = Wifi,
                ListenerChanged = _listenerChanged,
                Activity = _otaActivity,
                TimeWait = _timeWait,
            }, cancellationToken);

    /// <summary>
    /// Stops the board's services. <paramref name="goodbye"/>: a clean shutdown, the responder says goodbye; otherwise
    /// (reset, reboot, power cut) it just goes silent, as a real board does.
    /// </summary>
    public async Task ShutdownAsync(bool goodbye)
    {
        if (_shutDown) return;
        _shutDown = true;
        await _lifetime.CancelAsync().ConfigureAwait(false);
        await _followLink.ConfigureAwait(false);
        if (_advertiser is null) return;
        var advertiser = _advertiser;
        _advertiser = null;
        try
        {
            if (goodbye) await advertiser.StopAsync().ConfigureAwait(false);
            else await advertiser.SilenceAsync().ConfigureAwait(false);
        }
        finally
        {
            await advertiser.DisposeAsync().ConfigureAwait(false);
            if (_advertising) SetAdvertising(false);
        }
    }

    private void SetAdvertising(bool advertising)
    {
        _advertising = advertising;
        _advertisingChanged?.Invoke(advertising ? AdvertisedName : null);
    }

    /// <summary>Stops the services without goodbye (the board is rebooting), unless <see cref="ShutdownAsync"/> already ran.</summary>
    public async ValueTask DisposeAsync()
    {
        _otaActivity.Changed -= OnOtaActivity;
        await ShutdownAsync(goodbye: false).ConfigureAwait(false);
        _lifetime.Dispose();
    }
}
