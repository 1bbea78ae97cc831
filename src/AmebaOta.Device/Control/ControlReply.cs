namespace AmebaOta.Device.Control;

/// <summary>The one-line answer to a control command: <c>ok: …</c> or <c>error: …</c>. <see cref="Quit"/>: the board should power off once the reply is out.</summary>
public sealed record ControlReply(bool Ok, string Text, bool Quit = false)
{
    public static ControlReply Success(string text) => new(true, text);
    public static ControlReply Error(string text) => new(false, text);

    public override string ToString() => (Ok ? "ok: " : "error: ") + Text;
}
