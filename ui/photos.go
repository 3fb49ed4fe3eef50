package ui

import (
	"context"
	"image"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

// maxPickerRows bounds the rows of one folder: the newest photos come first, and a
// folder of thousands must not make thousands of buttons.
const maxPickerRows = 60

// pickPhoto asks for one photo by touch, in the operator's language (Fyne's file dialog
// speaks the system's language and is made for a mouse): the folder's photos newest
// first, its subfolders, the folder above. chosen gets the decoded image, or nil when
// the operator cancels. A photo that cannot be read is said on the picker, which stays
// open. The picker's buttons are the screen's "photo.*" while it is shown.
func (c *Controller) pickPhoto(title, dir, cancel string, chosen func(image.Image)) {
	f := c.cur.base()
	var pop *widget.PopUp
	var show func(dir string)
	rows := container.NewVBox()
	where := wrapLabel("")
	problem := wrapLabel("")
	problem.Importance = widget.DangerImportance
	say := func(text string) {
		problem.SetText(text)
		problem.Hidden = text == ""
		problem.Refresh()
	}
	var rowKeys []string // the current folder's buttons
	forget := func() {
		for _, k := range rowKeys {
			delete(f.buttons, k)
		}
		rowKeys = nil
	}
	row := func(key, text string, imp widget.Importance, tapped func()) {
		b := f.button(key, text, imp, tapped)
		b.Alignment = widget.ButtonAlignLeading
		rowKeys = append(rowKeys, key)
		rows.Add(b)
	}
	done := func(img image.Image) {
		pop.Hide()
		forget()
		delete(f.buttons, "photo.cancel")
		chosen(img)
	}
	show = func(dir string) {
		forget()
		rows.RemoveAll()
		say("")
		folder, err := capture.ListPhotos(dir)
		if err != nil {
			say(capture.ProblemMessage(err, c.lang))
			return
		}
		where.SetText(c.tf("photo.where", folder.Dir))
		if folder.Parent != "" {
			row("photo.up", "⬆  "+c.t("photo.up"), widget.LowImportance, func() { show(folder.Parent) })
		}
		n := 0
		for _, p := range folder.Photos {
			if n == maxPickerRows {
				rows.Add(widget.NewLabel(c.tf("photo.more", len(folder.Photos)-n)))
				break
			}
			n++
			row("photo.file:"+p.Name, p.Name+"   ·   "+p.Modified.Local().Format("2006-01-02 15:04"), widget.MediumImportance, func() {
				say(c.t("photo.opening"))
				c.background(func(ctx context.Context) { // a large photo takes a moment to decode
					img, err := capture.OpenPhoto(p.Path)
					fyne.Do(func() {
						switch {
						case ctx.Err() != nil:
						case err != nil:
							say(capture.ProblemMessage(err, c.lang))
						default:
							done(img)
						}
					})
				})
			})
		}
		for _, d := range folder.Folders {
			row("photo.folder:"+filepath.Base(d), "📁  "+filepath.Base(d), widget.LowImportance, func() { show(d) })
		}
		if len(folder.Photos) == 0 {
			rows.Add(widget.NewLabel(c.t("photo.none")))
		}
		rows.Refresh()
	}
	heading := widget.NewLabel(title)
	heading.TextStyle.Bold = true
	quit := f.button("photo.cancel", cancel, widget.HighImportance, func() { done(nil) })
	body := container.NewBorder(container.NewVBox(heading, where, problem), quit, nil, nil, container.NewVScroll(rows))
	size := c.win.Canvas().Size()
	pop = widget.NewModalPopUp(container.NewGridWrap(fyne.NewSize(size.Width*0.8, size.Height*0.85), body), c.win.Canvas())
	show(dir)
	pop.Show()
}
