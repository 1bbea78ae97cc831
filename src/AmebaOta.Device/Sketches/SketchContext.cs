using System.Diagnostics;
using System.Net;
using AmebaOta.Discovery;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Protocol;
using Microsoft.Extensions.Logging;

namespace AmebaOta.Device.Sketches;

/// <summary>What a running sketch can reach: its descriptor, the flash, the serial port, Wi-Fi, mDNS and the OTA library. One per boot.</summary>
public sealed class SketchContext : IAsyncDisposable
{
    private readonly Func<IServiceAdvertiser>? _advertiserFactory;
    private readonly Action<string?>? _advertisingChanged;
    private readonly Stopwatch _sinceBoot;
    private readonly CancellationTokenSource _lifetime = new();
    private IServiceAdvertiser? _advertiser;
    private Task _followLink = Task.CompletedTask;
    private volatile bool _advertising;
    private bool _shutDown;
    private readonly OtaReceiverActivity _otaActivity;
    private readonly bool _otaStarvesNetwork;

    internal SketchContext(SketchDescriptor sketch, NorFlash flash, IBoardConsole console, IWifiLink wifi, IPAddress bindAddress,
        int port, TimeSpan receiveTimeout, Func<IServiceAdvertiser>? advertiserFactory, Action<IPEndPoint>? listening, ILogger logger,
        SketchTiming? timing = null, Stopwatch? sinceBoot = null, Action<IPEndPoint?>? listenerChanged = null,
        Action<string?>? advertisingChanged = null, OtaReceiverActivity? otaActivity = null, bool otaStarvesNetwork = true, AmebaOta.Families.IBootOutcome? boot = null)
    {
        _otaStarvesNetwork = otaStarvesNetwork;
        Boot = boot;
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
        Listening = listening;
        ListenerChanged = listenerChanged;
        _advertisingChanged = advertisingChanged;
        TimeWait = new LwipTimeWait(Timing.TimeWait);
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
    public bool NetworkStarved => _otaStarvesNetwork && _otaActivity.Phase is OtaReceiverPhase.Erasing or OtaReceiverPhase.HungAfterFin;

    /// <summary>The OTA UI library the sketch started (null: the sketch is not an OTA UI client), for the board's status.</summary>
    public Protocol.OtaUi.Board.OtaUiClient? OtaUi { get; set; }

    /// <summary>What the boot code decided at this boot (which bank an AmebaD board runs from: its flash MMU mapping). Null when unknown.</summary>
    public AmebaOta.Families.IBootOutcome? Boot { get; }

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

    /// <summary>Told each time the board's OTA receiver listens, with its end point.</summary>
    public Action<IPEndPoint>? Listening { get; }

    /// <summary>Told each time the OTA receiver's socket opens (its end point) or closes (null).</summary>
    public Action<IPEndPoint?>? ListenerChanged { get; }

    /// <summary>The board's TCP connections in TIME_WAIT: they outlive the sketch's sockets, as lwIP's PCBs do.</summary>
    public LwipTimeWait TimeWait { get; }

    /// <summary><c>millis()</c>: milliseconds since the boot loader started.</summary>
    public long Millis => _sinceBoot.ElapsedMilliseconds;

    /// <summary>The responder started by <see cref="BeginArduinoMdnsServiceAsync"/>, if any.</summary>
    public IServiceAdvertiser? Advertiser => _advertiser;

    /// <summary>The name last claimed on mDNS (after a conflict it may differ from the device name); null when never advertised.</summary>
    public string? AdvertisedName { get; private set; }

    /// <summary>True while the responder answers (false before mDNS starts and while Wi-Fi is down).</summary>
    public bool IsAdvertising => _advertising;

    public void Serial(string line) => Console.Serial(line);

    /// <summary>
    /// <c>OTA.beginArduinoMdnsService(name, port)</c>: advertises <c>_arduino._tcp</c> with the stock TXT, when the board has a
    /// responder. Returns once the name is claimed (waiting for the link first if it is down). From then on the responder
    /// follows the link: silent while Wi-Fi is down (no goodbye: the board cannot send one), probing and announcing again
    /// when it is back.
    /// </summary>
    public Task BeginArduinoMdnsServiceAsync(CancellationToken cancellationToken) =>
        BeginArduinoMdnsServiceAsync((ushort)Port, ArduinoService.StockTxt, cancellationToken);

    /// <summary>
    /// Advertises <c>_arduino._tcp</c> on <paramref name="port"/> with <paramref name="txt"/> (in order), whatever port the
    /// OTA receiver listens on (an AmebaD <c>OTA_Basic</c> advertises 5000 and listens on 8082), following the link as
    /// <see cref="BeginArduinoMdnsServiceAsync(CancellationToken)"/> does.
    /// </summary>
    public async Task BeginArduinoMdnsServiceAsync(ushort port, IReadOnlyList<KeyValuePair<string, string>> txt, CancellationToken cancellationToken)
    {
        if (_advertiserFactory is null || _advertiser is not null) return;
        _advertiser = _advertiserFactory();
        var advertisement = new ServiceAdvertisement(Sketch.DeviceName, Sketch.DeviceName, BindAddress, port, txt);
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
