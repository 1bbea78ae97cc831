using AmebaOta.Device.Sketches;
using AmebaOta.Families.Ameba1.Flash;

namespace AmebaOta.Device.Families.Ameba1.Sketches;

/// <summary>
/// The stock <c>ota_basic</c> example (docs/reference section 8): print the version, connect Wi-Fi, apply the version-1 settings
/// if the image does, start mDNS, then block in <c>OTA.beginLocal</c>. Success reboots; failure prints
/// <c>OTA failed!!</c> and <c>loop()</c> does nothing, so the board never listens again until reset. Wi-Fi is joined
/// once; if the access point drops later the link comes back by itself (the SDK's auto-reconnect) and the receiver and
/// mDNS follow it, without a line on the serial port.
/// </summary>
public sealed class BasicOtaSketch : ISketch
{
    public const string Failed = "OTA failed!!";
    public const string WifiRetry = "Failed. Wait 1s and retry...";

    public static string VersionLine(uint version) => $"This is version {version}";

    public async Task<SketchExit> RunAsync(SketchContext context, CancellationToken cancellationToken)
    {
        var sketch = context.Sketch;
        // printf("This is version %d\r\n\r\n", ...): the version line, then an empty one.
        context.Serial(VersionLine(sketch.Version));
        context.Serial("");

        context.Serial($"Try to connect to {sketch.Ssid}");
        while (!await context.Wifi.TryConnectAsync(sketch.Ssid, cancellationToken).ConfigureAwait(false))
        {
            context.Serial(WifiRetry);
            await Task.Delay(context.Timing.WifiRetry, cancellationToken).ConfigureAwait(false);
        }
        context.Serial($"Connected to {sketch.Ssid}");

        if (sketch.AppliesVersion1Settings)
        {
            await context.SetOtaAddressAsync(FlashLayout.DefaultOtaAddress, cancellationToken).ConfigureAwait(false);
            await context.SetRecoverPinAsync(sketch.RecoveryPin, cancellationToken).ConfigureAwait(false);
        }

        await context.BeginArduinoMdnsServiceAsync(cancellationToken).ConfigureAwait(false);

        var result = await context.BeginLocalAsync(cancellationToken).ConfigureAwait(false);
        if (result.Succeeded) return SketchExit.Reboot;
        context.Serial(Failed);
        return SketchExit.Idle;
    }
}
