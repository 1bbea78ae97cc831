using AmebaOta.Boards;
using AmebaOta.Families.Ameba1.Pull;
using AmebaOta.Protocol.OtaUi.Board;

namespace AmebaOta.Device.Sketches;

/// <summary>
/// The OTA UI example, as AmebaD's <c>OTA_Http</c> and AmebaPro2's <c>OTA</c> both write it (docs/reference section 11.2):
/// <c>setup()</c> joins Wi-Fi (<c>Attempting to connect to WPA SSID: …</c>, <c>WiFi.begin</c>, <c>delay(2000)</c>, until
/// connected), then <c>start_OTA_threads(port, server)</c>; <c>loop()</c> is empty. The family's profile says how the
/// library and the SDK behave on that board. The virtual board prints the image's version line first, as for every
/// test image.
/// </summary>
public sealed class OtaUiSketch(OtaUiBoardProfile profile) : ISketch
{
    /// <summary>The example's first print of each attempt (then the SSID with <c>println</c>).</summary>
    public const string Attempting = "Attempting to connect to WPA SSID: ";

    public async Task<SketchExit> RunAsync(SketchContext context, CancellationToken cancellationToken)
    {
        var serial = new SerialPrinter(context.Serial);
        var board = new PullBoard(context.Flash, serial, context.BindAddress, context.Sketch.Board, context.Wifi, context.Logger, () => context.Wifi.IsConnected);
        try
        {
            serial.PrintLine($"This is version {context.Sketch.Version}");
            serial.PrintLine();
            if (PullServerAddress.TryParse(context.Sketch.Server ?? "", out string? error) is not { } server)
            {
                context.Console.Note($"the image's server address is unusable ({error}); idling");
                return SketchExit.Idle;
            }
            while (true)
            {
                serial.Print(Attempting);
                serial.PrintLine(context.Sketch.Ssid);
                bool connected = await context.Wifi.TryConnectAsync(context.Sketch.Ssid, cancellationToken).ConfigureAwait(false);
                if (connected) serial.PrintLine($"Interface 0 IP address : {context.BindAddress}");
                await Task.Delay(context.Timing.OtaUiWifiBegin, cancellationToken).ConfigureAwait(false);
                if (connected) break;
            }
            var client = new OtaUiClient(board, profile, server.Host, server.Port, context.Boot, context.Timing.OtaUi, context.Port, context.Console.Note);
            client.ListenerChanged += endPoint =>
            {
                context.ListenerChanged?.Invoke(endPoint);
                if (endPoint is not null) context.Listening?.Invoke(endPoint);
            };
            context.OtaUi = client;
            var exit = await client.RunAsync(cancellationToken).ConfigureAwait(false);
            return exit == OtaUiClientExit.Reboot ? SketchExit.Reboot : SketchExit.Idle;
        }
        finally
        {
            serial.Flush();
        }
    }
}
