using AmebaOta.Device.Sketches;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Push;
using AmebaOta.Pins;

namespace AmebaOta.Device.Families.Ameba1.Sketches;

/// <summary>The Ameba1 <c>OTA</c> library's calls as a sketch makes them, on the board its context describes.</summary>
public static class Ameba1OtaLibrary
{
    /// <summary><c>OTA.setOtaAddress(a)</c>: system data 0x9000, written the SDK's way, taking the flash's time.</summary>
    public static async Task SetOtaAddressAsync(this SketchContext context, uint address, CancellationToken cancellationToken)
    {
        new SystemData(context.Flash).SetOtaAddress(address);
        await context.Flash.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>OTA.setRecoverPin(pin)</c>: the pin's chip name | 0x80 (active HIGH) in byte 1, 0xFF in byte 0. A pin the board
    /// does not connect counts as unused; with no usable pin nothing is written, as in the stock code.
    /// </summary>
    public static async Task SetRecoverPinAsync(this SketchContext context, int arduinoPin, CancellationToken cancellationToken)
    {
        var chip = PinMap.For(context.Sketch.Board).ToChip(arduinoPin);
        if (chip is null) return;
        new SystemData(context.Flash).SetRecoveryPins(RecoveryPin.ActiveHighFor(chip.Value).Raw);
        await context.Flash.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>OTA.beginLocal(port)</c>: the receiver of docs/reference section 6, on this board's flash and serial port, reachable only while Wi-Fi is up.</summary>
    public static Task<OtaReceiveResult> BeginLocalAsync(this SketchContext context, CancellationToken cancellationToken) =>
        new OtaReceiver(context.Flash, context.Console.Serial, context.Logger).BeginLocalAsync(
            new OtaReceiverOptions(context.BindAddress, context.Port)
            {
                ReceiveTimeout = context.ReceiveTimeout,
                Listening = context.Listening,
                Link = context.Wifi,
                ListenerChanged = context.ListenerChanged,
                Activity = context.OtaActivity,
                TimeWait = context.TimeWait,
            }, cancellationToken);
}
