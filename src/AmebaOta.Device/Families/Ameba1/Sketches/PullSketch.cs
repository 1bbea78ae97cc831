using AmebaOta.Boards;
using AmebaOta.Device.Sketches;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Pull;

namespace AmebaOta.Device.Families.Ameba1.Sketches;

/// <summary>
/// What the three pull sketches share: the version line every virtual sketch prints, joining Wi-Fi, the board as the
/// pull clients see it (flash, UART, address, link), and the server the descriptor names. The UART's partial last line
/// is pushed out when the sketch ends (the board resets with the cursor mid-line).
/// </summary>
public abstract class PullSketch : ISketch
{
    /// <summary>The time <c>ota_platform_reset</c> waits before it resets the chip (<c>osDelay(100)</c>).</summary>
    public static readonly TimeSpan PlatformResetDelay = TimeSpan.FromMilliseconds(100);

    public async Task<SketchExit> RunAsync(SketchContext context, CancellationToken cancellationToken)
    {
        var serial = new SerialPrinter(context.Serial);
        var board = new PullBoard(context.Flash, serial, context.BindAddress, context.Sketch.Board, context.Wifi, context.Logger, () => context.Wifi.IsConnected);
        board.Hung += reason => context.Console.Note($"{reason}; only a reset ends it");
        try
        {
            serial.PrintLine(BasicOtaSketch.VersionLine(context.Sketch.Version));
            serial.PrintLine();
            if (PullServerAddress.TryParse(context.Sketch.Server ?? "", out string? error) is not { } server)
            {
                context.Console.Note($"the image's server address is unusable ({error}); idling");
                return SketchExit.Idle;
            }
            return await RunAsync(context, board, server, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            serial.Flush();
        }
    }

    /// <summary>The sketch after its version line.</summary>
    protected abstract Task<SketchExit> RunAsync(SketchContext context, PullBoard board, PullServerAddress server, CancellationToken cancellationToken);

    /// <summary>As <c>ota_basic</c> does: <c>Try to connect to</c>, retries every second, <c>Connected to</c>.</summary>
    protected static async Task JoinWifiAsync(SketchContext context, PullBoard board, CancellationToken cancellationToken)
    {
        string ssid = context.Sketch.Ssid;
        board.Serial.PrintLine($"Try to connect to {ssid}");
        while (!await context.Wifi.TryConnectAsync(ssid, cancellationToken).ConfigureAwait(false))
        {
            board.Serial.PrintLine(BasicOtaSketch.WifiRetry);
            await Task.Delay(context.Timing.WifiRetry, cancellationToken).ConfigureAwait(false);
        }
        board.Serial.PrintLine($"Connected to {ssid}");
        if (context.Sketch.AppliesVersion1Settings)
        {
            await context.SetOtaAddressAsync(FlashLayout.DefaultOtaAddress, cancellationToken).ConfigureAwait(false);
            await context.SetRecoverPinAsync(context.Sketch.RecoveryPin, cancellationToken).ConfigureAwait(false);
        }
    }
}
