using AmebaOta.Boards;
using AmebaOta.Device.Sketches;
using AmebaOta.Families.AmebaD.Boot;
using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Families.AmebaD.Push;

namespace AmebaOta.Device.Families.AmebaD.Sketches;

/// <summary>The AmebaD <c>OTA</c> library's calls as a sketch makes them, on the board its context describes.</summary>
public static class AmebaDOtaLibrary
{
    /// <summary>The bank the board runs from: the one the boot code chose (<c>ota_get_cur_index</c> reads the flash MMU mapping it set up).</summary>
    public static OtaBank CurrentBank(this SketchContext context) =>
        context.Boot is AmebaDBootResult { Bank: { } bank } ? bank : OtaBank.Ota1;

    /// <summary><c>ota.beginOTA(port)</c>: the receiver of docs/reference section 11.4 on this board's flash and serial port, reachable only while Wi-Fi is up.</summary>
    public static Task<AmebaDReceiveResult> BeginOtaAsync(this SketchContext context, SerialPrinter serial, CancellationToken cancellationToken) =>
        new AmebaDOtaReceiver(context.Flash, serial, context.Logger).BeginOtaAsync(
            new AmebaDReceiverOptions(context.BindAddress, context.Port)
            {
                CurrentBank = context.CurrentBank(),
                ReceiveTimeout = context.ReceiveTimeout,
                Listening = context.Listening,
                Link = context.Wifi,
                ListenerChanged = context.ListenerChanged,
                Activity = context.OtaActivity,
            }, cancellationToken);
}
