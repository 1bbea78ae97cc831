using AmebaOta.Boards;
using AmebaOta.Device.Sketches;
using AmebaOta.Families.AmebaD;

namespace AmebaOta.Device.Families.AmebaD.Sketches;

/// <summary>
/// Realtek's AmebaD <c>OTA_Basic</c> example (<c>ameba-arduino-d</c> <c>libraries/OTA/examples/OTA_Basic</c>; docs/reference
/// section 11.4): join Wi-Fi (<c>WiFi.begin</c>, then <c>delay(10000)</c>, until connected), print the Wi-Fi status,
/// register mDNS <c>MyAmeba</c> on port <b>5000</b> with the four TXT records, then block in <c>ota.beginOTA(8082)</c>.
/// Success resets the board (the watchdog); after a failure <c>loop()</c> is empty, so the board never listens again
/// until reset, while its mDNS record keeps answering. The lines before <c>setup()</c> (KM0's flash calibration, the
/// Wi-Fi driver's start) and the driver's join lines are those of the board log in Realtek's OTA guide.
/// </summary>
public sealed class OtaBasicSketch : ISketch
{
    /// <summary>The received signal strength the virtual access point reports.</summary>
    public const int Rssi = -47;

    /// <inheritdoc />
    public async Task<SketchExit> RunAsync(SketchContext context, CancellationToken cancellationToken)
    {
        var sketch = context.Sketch;
        var serial = new SerialPrinter(context.Serial);
        try
        {
            // Before setup(): KM0's flash calibration line, then the Wi-Fi driver starting.
            serial.Print("#calibration_ok:[2:19:11]\n");
            serial.Print("interface 0 is initialized\ninterface 1 is initialized\n\nInitializing WIFI ...\nWIFI initialized\n\n");

            while (true)
            {
                serial.PrintLine($"[MAIN] Attempting to connect to SSID: {sketch.Ssid}");
                serial.Print($"\nRTL8721D[Driver]: set ssid [{sketch.Ssid}]\n");
                bool joined = await context.Wifi.TryConnectAsync(sketch.Ssid, cancellationToken).ConfigureAwait(false);
                if (joined)
                    serial.Print($"\nRTL8721D[Driver]: association success(res=3)\n\nInterface 0 IP address : {context.BindAddress}\n");
                else
                    serial.Print("\nRTL8721D[Driver]: Connect failed\n");
                await Task.Delay(context.Timing.ConnectWait, cancellationToken).ConfigureAwait(false);   // delay(10000)
                if (joined && context.Wifi.IsConnected) break;
            }

            // printWifiStatus()
            serial.PrintLine();
            serial.PrintLine($"SSID: {sketch.Ssid}");
            serial.PrintLine($"IP Address: {context.BindAddress}");
            serial.PrintLine($"signal strength (RSSI):{Rssi} dBm");

            // beginMDNSService(): advertises 5000, whatever port the sketch listens on.
            serial.Print("Start mDNS service\r\n");
            serial.Print("register mDNS service\r\n");
            await context.BeginArduinoMdnsServiceAsync(AmebaDFamily.AdvertisedPort, AmebaDFamily.StockTxt, cancellationToken).ConfigureAwait(false);
            await Task.Delay(context.Timing.MdnsRegistration, cancellationToken).ConfigureAwait(false);

            var result = await context.BeginOtaAsync(serial, cancellationToken).ConfigureAwait(false);
            return result.Succeeded ? SketchExit.Reboot : SketchExit.Idle;
        }
        finally
        {
            serial.Flush();
        }
    }
}
