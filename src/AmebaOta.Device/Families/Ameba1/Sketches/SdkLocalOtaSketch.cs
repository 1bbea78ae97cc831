using AmebaOta.Boards;
using AmebaOta.Device.Sketches;
using AmebaOta.Families.Ameba1.Pull;
using AmebaOta.Families.Ameba1.Pull.Board;

namespace AmebaOta.Device.Families.Ameba1.Sketches;

/// <summary>
/// A sketch that calls the SDK's <c>update_ota_local(ip, port)</c> once Wi-Fi is up (as the SDK's <c>ATWO</c> command
/// does): version line, <c>Try to connect to</c>/<c>Connected to</c> as <c>ota_basic</c> prints them, the version-1
/// settings if the image applies them, then the update task with its stock lines. Success resets the board 100 ms after
/// <c>Ready to reboot</c>; failure ends the task and the sketch idles. It pulls at every boot.
/// </summary>
public sealed class SdkLocalOtaSketch : PullSketch
{
    protected override async Task<SketchExit> RunAsync(SketchContext context, PullBoard board, PullServerAddress server, CancellationToken cancellationToken)
    {
        await JoinWifiAsync(context, board, cancellationToken).ConfigureAwait(false);
        if (!await new UpdateOtaLocal(board).RunAsync(server.Host, server.Port, cancellationToken).ConfigureAwait(false)) return SketchExit.Idle;
        await Task.Delay(PlatformResetDelay, cancellationToken).ConfigureAwait(false);
        return SketchExit.Reboot;
    }
}
