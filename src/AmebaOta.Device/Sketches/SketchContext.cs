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
    private readonly Action<IPEndPoint>? _listening;
    private IServiceAdvertiser? _advertiser;

    internal SketchContext(SketchDescriptor sketch, NorFlash flash, IBoardConsole console, IWifiLink wifi, IPAddress bindAddress,
        int port, TimeSpan receiveTimeout, Func<IServiceAdvertiser>? advertiserFactory, Action<IPEndPoint>? listening, ILogger logger)
    {
        Sketch = sketch;
        Flash = flash;
        Console = console;
        Wifi = wifi;
        BindAddress = bindAddress;
        Port = port;
        ReceiveTimeout = receiveTimeout;
        Logger = logger;
        _advertiserFactory = advertiserFactory;
        _listening = listening;
    }

    public SketchDescriptor Sketch { get; }
    public NorFlash Flash { get; }
    public IBoardConsole Console { get; }
    public IWifiLink Wifi { get; }
    public IPAddress BindAddress { get; }

    /// <summary>The port the sketch's <c>OTA_PORT</c> really maps to (the descriptor's, unless the board overrides it).</summary>
    public int Port { get; }
    public TimeSpan ReceiveTimeout { get; }
    public ILogger Logger { get; }

    /// <summary>The responder started by <see cref="BeginArduinoMdnsServiceAsync"/>, if any.</summary>
    public IServiceAdvertiser? Advertiser => _advertiser;

    /// <summary>The name actually claimed on mDNS (after a conflict it may differ from the device name); null when not advertised.</summary>
    public string? AdvertisedName { get; private set; }

    public void Serial(string line) => Console.Serial(line);

    /// <summary><c>OTA.setOtaAddress(a)</c>: system data 0x9000, written the SDK's way.</summary>
    public void SetOtaAddress(uint address) => new SystemData(Flash).SetOtaAddress(address);

    /// <summary>
    /// <c>OTA.setRecoverPin(pin)</c>: the pin's chip name | 0x80 (active HIGH) in byte 1, 0xFF in byte 0. A pin the board
    /// does not connect counts as unused; with no usable pin nothing is written, as in the stock code.
    /// </summary>
    public void SetRecoverPin(int arduinoPin)
    {
        var chip = Boot.PinMap.For(Sketch.Board).ToChip(arduinoPin);
        if (chip is null) return;
        new SystemData(Flash).SetRecoveryPins(Boot.RecoveryPin.ActiveHighFor(chip.Value).Raw);
    }

    /// <summary><c>OTA.beginArduinoMdnsService(name, port)</c>: advertises <c>_arduino._tcp</c> with the stock TXT, when the board has a responder.</summary>
    public async Task BeginArduinoMdnsServiceAsync(CancellationToken cancellationToken)
    {
        if (_advertiserFactory is null || _advertiser is not null) return;
        _advertiser = _advertiserFactory();
        var advertisement = new ServiceAdvertisement(Sketch.DeviceName, Sketch.DeviceName, BindAddress, (ushort)Port, ArduinoService.StockTxt);
        AdvertisedName = await _advertiser.StartAsync(advertisement, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>OTA.beginLocal(port)</c>: the receiver of spec section 6, on this board's flash and serial port.</summary>
    public Task<OtaReceiveResult> BeginLocalAsync(CancellationToken cancellationToken) =>
        new OtaReceiver(Flash, Console.Serial, Logger).BeginLocalAsync(
            new OtaReceiverOptions(BindAddress, Port) { ReceiveTimeout = ReceiveTimeout, Listening = _listening }, cancellationToken);

    /// <summary>Stops the mDNS responder: the board is rebooting or powering off.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_advertiser is null) return;
        var advertiser = _advertiser;
        _advertiser = null;
        try { await advertiser.StopAsync().ConfigureAwait(false); }
        finally { await advertiser.DisposeAsync().ConfigureAwait(false); }
    }
}
