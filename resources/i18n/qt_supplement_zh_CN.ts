<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- Qt's own strings that Qt's Chinese catalogue (qtbase_zh_CN) lacks for this Qt version: the file
     dialog's labels whose source text changed (“Look &in:”) and the file-type names. Compiled by
     scripts/update_translations.sh into qt_supplement_zh_CN.qm, loaded after qtbase_zh_CN. -->
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>QFileDialog</name>
    <message><source>&amp;Look in:</source><translation>查找范围(&amp;L)：</translation></message>
    <message><source>Files of &amp;type:</source><translation>文件类型(&amp;T)：</translation></message>
    <message><source>Directory</source><translation>目录</translation></message>
    <message><source>Create new folder</source><translation>新建文件夹</translation></message>
</context>
<context>
    <name>QAbstractFileIconProvider</name>
    <message><source>Folder</source><translation>文件夹</translation></message>
    <message><source>File Folder</source><translation>文件夹</translation></message>
    <message><source>Drive</source><translation>驱动器</translation></message>
    <message><source>File</source><translation>文件</translation></message>
    <message><source>Unknown</source><translation>未知</translation></message>
    <message><source>%1 File</source><translation>%1 文件</translation></message>
</context>
<context>
    <name>QFileSystemModel</name>
    <message><source>%1 KB</source><translation>%1 KB</translation></message>
    <message><source>%1 bytes</source><translation>%1 字节</translation></message>
</context>
<context>
    <name>QDialogButtonBox</name>
    <message><source>Close</source><translation>关闭</translation></message>
    <message><source>Cancel</source><translation>取消</translation></message>
    <message><source>&amp;OK</source><translation>确定(&amp;O)</translation></message>
    <message><source>&amp;Cancel</source><translation>取消(&amp;C)</translation></message>
    <message><source>Apply</source><translation>应用</translation></message>
    <message><source>&amp;Yes</source><translation>是(&amp;Y)</translation></message>
    <message><source>&amp;No</source><translation>否(&amp;N)</translation></message>
</context>
<context>
    <name>QPlatformTheme</name>
    <message><source>Yes</source><translation>是</translation></message>
    <message><source>No</source><translation>否</translation></message>
</context>
</TS>
