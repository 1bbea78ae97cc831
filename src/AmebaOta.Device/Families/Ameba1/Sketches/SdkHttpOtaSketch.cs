using AmebaOta.Boards;
using AmebaOta.Device.Sketches;
using AmebaOta.Families.Ameba1.Pull;
using AmebaOta.Families.Ameba1.Pull.Board;

namespace AmebaOta.Device.Families.Ameba1.Sketches;

/// <summary>
/// The SDK's <c>example_ota_http</c> task around <c>http_update_ota(host, port, resource)</c>, with the image's server:
/// version line, Wi-Fi joined as <c>ota_basic</c> does (where the example just waits a minute for it), the version-1
/// settings if the image applies them, then <c>http_update_ota</c> with its stock lines, then the task's
/// <c>Update task exit</c> and, when it returned 0, <c>Ready to reboot</c> and a reset 100 ms later
/// (<c>http_update_ota</c> itself never reboots). It pulls at every boot.
/// </summary>
public sealed class SdkHttpOtaSketch : PullSketch
{
    private const string Task = "http_update_ota_task";

    protected override async Task<SketchExit> RunAsync(SketchContext context, PullBoard board, PullServerAddress server, CancellationToken cancellationToken)
    {
        await JoinWifiAsync(context, board, cancellationToken).ConfigureAwait(false);
        int ret = await new HttpUpdateOta(board).RunAsync(server.Host, server.Port, server.Resource, cancellationToken).ConfigureAwait(false);
        board.Printf($"\n\r[{Task}] Update task exit");
        if (ret != 0) return SketchExit.Idle;
        board.Printf($"\n\r[{Task}] Ready to reboot");
        await System.Threading.Tasks.Task.Delay(PlatformResetDelay, cancellationToken).ConfigureAwait(false);
        return SketchExit.Reboot;
    }
}
