using AmebaOta.Boards;
using AmebaOta.Device.Sketches;
using AmebaOta.Families.Ameba1.Pull;
using AmebaOta.Families.Ameba1.Pull.Board;

namespace AmebaOta.Device.Families.Ameba1.Sketches;

/// <summary>
/// The AmebaCloudOTA library's <c>ota_cloud</c> example, with the server of the image's descriptor as
/// <c>REMOTE_ADDR</c>/<c>REMOTE_PORT</c> (and its resource, if any, as the directory of <c>check.txt</c> and
/// <c>ota.bin</c>): join Wi-Fi silently (<c>WiFi.begin</c>, then <c>delay(1000)</c>, until connected);
/// <c>OTA.gatherOTAinfo(.., "/check.txt", ..)</c>; <c>info_ok</c> unless that returned -1;
/// <c>OTA.beginRemote(.., "/ota.bin", .., checksum)</c>, which reboots on success; else <c>FAIL</c> and an empty
/// <c>loop()</c>. Like the example it pulls at every boot, so a board that boots an image of this kind downloads it again.
/// Our only addition is the version line every virtual sketch prints first.
/// </summary>
public sealed class CloudOtaSketch : PullSketch
{
    protected override async Task<SketchExit> RunAsync(SketchContext context, PullBoard board, PullServerAddress server, CancellationToken cancellationToken)
    {
        while (true)
        {
            bool connected = await context.Wifi.TryConnectAsync(context.Sketch.Ssid, cancellationToken).ConfigureAwait(false);
            await Task.Delay(context.Timing.WifiRetry, cancellationToken).ConfigureAwait(false);
            if (connected) break;
        }
        var ota = new CloudOtaClient(board);
        int checksum = await ota.GatherOtaInfoAsync(server.Host, server.CloudPath("check.txt"), server.Port, cancellationToken).ConfigureAwait(false);
        if (checksum != -1) board.Serial.PrintLine("info_ok");
        if (await ota.BeginRemoteAsync(server.Host, server.CloudPath("ota.bin"), server.Port, checksum, null, cancellationToken).ConfigureAwait(false) != -1)
            return SketchExit.Reboot;   // reboot_when_success: sys_reset() before "OK" could print
        board.Serial.PrintLine("FAIL");
        return SketchExit.Idle;
    }
}
