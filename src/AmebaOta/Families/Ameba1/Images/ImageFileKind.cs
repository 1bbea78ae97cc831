namespace AmebaOta.Families.Ameba1.Images;

/// <summary>Which Arduino build output a file looks like.</summary>
public enum ImageFileKind
{
    /// <summary><c>ota.bin</c> / <c>ram_2.ns.bin</c>: Image 2 with the unsigned 0xFF signature (+ Image 3).</summary>
    UnsignedImage2,
    /// <summary><c>ram_2.p.bin</c>: Image 2 signed "new".</summary>
    SignedImage2,
    /// <summary>An Image 2 whose signature says "old" (e.g. cut out of a dump after an OTA).</summary>
    OldImage2,
    /// <summary><c>ram_all.bin</c>: Image 1 padded to 0xB000, then Image 2 (+ Image 3); what USB/DAP writes from address 0.</summary>
    RamAll,
}

/// <summary>Descriptions of <see cref="ImageFileKind"/> values.</summary>
public static class ImageFileKinds
{
    /// <summary>A short description for messages.</summary>
    public static string Describe(ImageFileKind kind) => kind switch
    {
        ImageFileKind.UnsignedImage2 => "Image 2, unsigned (ota.bin / ram_2.ns.bin)",
        ImageFileKind.SignedImage2 => "Image 2, signed new (ram_2.p.bin)",
        ImageFileKind.OldImage2 => "Image 2, signed old",
        _ => "Image 1 + Image 2 (ram_all.bin)",
    };
}
